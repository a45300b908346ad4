package io.tapvsock.service.forwarder.relay;

import io.netty.channel.group.ChannelGroup;
import io.tapvsock.api.GuestTcpConnector;
import io.tapvsock.api.GuestUdpConnector;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.service.forwarder.core.ForwarderConfig;
import io.tapvsock.service.forwarder.core.ForwarderCounters;
import java.util.function.Supplier;

/**
 * What every forwarded connection and UDP flow needs.
 *
 * @param settings the network's settings now (host IP, gateway IP for the source address)
 * @param config   the forwarder's configuration now (sourceFromGateway, UDP flow limits), read per connection or
 *                 flow, so a change applies to the next one
 * @param channels every host and guest channel of every forward, closed when the forwarder stops
 */
record RelayContext(GuestTcpConnector connector, GuestUdpConnector udpConnector, Supplier<NetworkSettings> settings,
        Supplier<ForwarderConfig> config, ForwarderCounters counters, ChannelGroup channels) {
}
