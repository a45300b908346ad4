package io.tapvsock.stack.core;

import io.netty.channel.EventLoop;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.VirtualNetwork;

/** The {@link VirtualNetwork} transports see: a narrow face of the {@link Stack}. */
public final class StackNetwork implements VirtualNetwork {

    private final Stack stack;

    public StackNetwork(Stack stack) {
        this.stack = stack;
    }

    @Override
    public EventLoop eventLoop() {
        return stack.loop();
    }

    /** Network loop only: a transport registers its channel on {@link #eventLoop()} and attaches from there. */
    @Override
    public NetworkPort attach(FrameSink sink, String description) {
        if (!stack.loop().inEventLoop()) {
            throw new IllegalStateException("attach must be called on the network loop (VirtualNetwork.eventLoop())");
        }
        return stack.attach(sink, description);
    }

    @Override
    public NetworkSettings settings() {
        return stack.settings();
    }
}
