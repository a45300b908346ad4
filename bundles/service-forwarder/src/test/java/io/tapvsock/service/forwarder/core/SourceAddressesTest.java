package io.tapvsock.service.forwarder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.unix.DomainSocketAddress;
import io.tapvsock.api.NetworkSettings;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceAddressesTest {

    private static final NetworkSettings SETTINGS = NetworkSettings.defaults();

    @Test
    void loopbackClient_isTheHostIp_withItsPort() {
        assertEquals(new InetSocketAddress("192.168.127.254", 40000),
                SourceAddresses.forClient(new InetSocketAddress("127.0.0.1", 40000), SETTINGS, false));
        assertEquals(new InetSocketAddress("192.168.127.254", 40001),
                SourceAddresses.forClient(new InetSocketAddress("::1", 40001), SETTINGS, false));
    }

    @Test
    void remoteIpv4Client_isItself() {
        assertEquals(new InetSocketAddress("10.1.2.3", 5555),
                SourceAddresses.forClient(new InetSocketAddress("10.1.2.3", 5555), SETTINGS, false));
        assertEquals(new InetSocketAddress("10.1.2.3", 5556),
                SourceAddresses.forClient(new InetSocketAddress("::ffff:10.1.2.3", 5556), SETTINGS, false));
    }

    @Test
    void clientInsideTheVirtualSubnet_isTheHostIp() {
        assertEquals(new InetSocketAddress("192.168.127.254", 7),
                SourceAddresses.forClient(new InetSocketAddress("192.168.127.9", 7), SETTINGS, false));
    }

    @Test
    void unixSocketClient_isTheHostIp_anyPort() {
        assertEquals(new InetSocketAddress("192.168.127.254", 0),
                SourceAddresses.forClient(new DomainSocketAddress("/tmp/x.sock"), SETTINGS, false));
    }

    @Test
    void sourceFromGateway_isGvproxysBehaviour() {
        assertEquals(new InetSocketAddress("192.168.127.1", 0),
                SourceAddresses.forClient(new InetSocketAddress("10.1.2.3", 5555), SETTINGS, true));
    }

    @Test
    void hostIpWithoutArp_fallsBackToTheGateway() {
        NetworkSettings noVirtualIps = NetworkSettings.fromProperties(Map.of("gatewayVirtualIPs", new String[0]));

        assertEquals(new InetSocketAddress("192.168.127.1", 40000),
                SourceAddresses.forClient(new InetSocketAddress("127.0.0.1", 40000), noVirtualIps, false));
    }
}
