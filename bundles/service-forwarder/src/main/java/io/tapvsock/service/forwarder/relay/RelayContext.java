package io.tapvsock.service.forwarder.relay;

import io.netty.channel.group.ChannelGroup;
import io.tapvsock.api.GuestTcpConnector;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.service.forwarder.core.ForwarderCounters;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What every forwarded connection needs.
 *
 * @param settings          the network's settings now (host IP, gateway IP for the source address)
 * @param sourceFromGateway read per connection, so a configuration change applies to the next one
 * @param channels          every host and guest channel of every forward, closed when the forwarder stops
 */
record RelayContext(GuestTcpConnector connector, Supplier<NetworkSettings> settings, BooleanSupplier sourceFromGateway,
        ForwarderCounters counters, ChannelGroup channels) {
}
