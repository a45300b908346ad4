package io.tapvsock.stack.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import java.util.Map;

/**
 * A {@link GuestChannel}'s options: Netty's defaults plus the two socket options that mean something for a TCP
 * connection served inside the daemon. ALLOW_HALF_CLOSURE: the guest's FIN becomes a ChannelInputShutdownEvent
 * instead of a close. SO_LINGER 0: closing the channel resets the connection (RST), as with a socket.
 */
final class GuestChannelConfig extends DefaultChannelConfig {

    private volatile boolean allowHalfClosure;
    private volatile int soLinger = -1;

    GuestChannelConfig(Channel channel) {
        super(channel);
    }

    boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    /** Closing resets the connection. */
    boolean resetsOnClose() {
        return soLinger == 0;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.ALLOW_HALF_CLOSURE, ChannelOption.SO_LINGER);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(allowHalfClosure);
        }
        if (option == ChannelOption.SO_LINGER) {
            return (T) Integer.valueOf(soLinger);
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            allowHalfClosure = (Boolean) value;
        } else if (option == ChannelOption.SO_LINGER) {
            soLinger = (Integer) value;
        } else {
            return super.setOption(option, value);
        }
        return true;
    }
}
