package io.tapvsock.service.tunnel;

import io.netty.channel.group.ChannelGroup;
import io.tapvsock.api.GuestTcpConnector;
import io.tapvsock.api.NetworkSettings;
import java.util.function.Supplier;

/**
 * What every tunnel needs.
 *
 * @param settings the network's settings now (the subnet a target must be in, the gateway IP the guest sees
 *                 the connection come from)
 * @param channels every client and guest channel of every tunnel, closed when the service stops
 */
record TunnelContext(GuestTcpConnector connector, Supplier<NetworkSettings> settings, TunnelCounters counters,
        ChannelGroup channels) {
}
