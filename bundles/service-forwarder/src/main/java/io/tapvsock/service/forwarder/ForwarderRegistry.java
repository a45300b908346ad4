package io.tapvsock.service.forwarder;

import io.tapvsock.service.forwarder.core.ForwardApi;
import io.tapvsock.service.forwarder.core.Forwards;

/** The forwarder component's core, a service inside this bundle for the API routes and the shell. */
public interface ForwarderRegistry {

    /** The open forwards. Any thread but the network loop. */
    Forwards forwards();

    /** The three endpoints' logic. Any thread but the network loop. */
    ForwardApi api();
}
