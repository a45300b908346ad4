package io.tapvsock.api;

import io.netty.channel.EventLoop;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The virtual network (switch, gateway, NAT), published by the stack bundle.
 *
 * <p>One event loop, the network loop, owns all of its state. Transports register their channels on
 * {@link #eventLoop()} so frames reach the stack without a thread hand-off; every method of this interface
 * and of the {@link NetworkPort}s it returns must be called on that loop unless stated otherwise.
 */
@ProviderType
public interface VirtualNetwork {

    /** The network loop. Any thread may call this. */
    EventLoop eventLoop();

    /**
     * Attaches one guest link (a switch port). Frames the network sends to this guest go to {@code sink}.
     *
     * @param description shown in logs, /cam and the shell, e.g. "qemu unix:///tmp/q.sock"
     */
    NetworkPort attach(FrameSink sink, String description);

    /** The settings in force now. Any thread may call this. */
    NetworkSettings settings();
}
