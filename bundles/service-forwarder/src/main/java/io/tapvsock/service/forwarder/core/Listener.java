package io.tapvsock.service.forwarder.core;

/** The host side of one open forward: a listening socket whose connections go into a guest. */
public interface Listener extends AutoCloseable {

    /** Stops accepting; connections already forwarded go on until they end. Idempotent; not on the network loop. */
    @Override
    void close();
}
