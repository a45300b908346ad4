package io.tapvsock.service.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.NetworkSettings;
import org.junit.jupiter.api.Test;

class TunnelTargetTest {

    private static final NetworkSettings SETTINGS = NetworkSettings.defaults();

    private static String refusal(String target) {
        return assertThrows(IllegalArgumentException.class, () -> TunnelTarget.parse(target, SETTINGS), target)
                .getMessage();
    }

    @Test
    void aGuestAddressAndPort() {
        assertEquals(new TunnelTarget(Ipv4Address.parse("192.168.127.2"), 8080),
                TunnelTarget.parse("/tunnel?ip=192.168.127.2&port=8080", SETTINGS));
        assertEquals(new TunnelTarget(Ipv4Address.parse("192.168.127.3"), 65535),
                TunnelTarget.parse("/tunnel?port=65535&ip=192.168.127.3", SETTINGS));
    }

    @Test
    void missingParameters_nameTheParameter() {
        assertEquals("ip is mandatory", refusal("/tunnel?port=80"));
        assertEquals("ip is mandatory", refusal("/tunnel?ip=&port=80"));
        assertEquals("port is mandatory", refusal("/tunnel?ip=192.168.127.2"));
        assertEquals("ip is mandatory", refusal("/tunnel"));
    }

    @Test
    void badValues_quoteTheValue() {
        assertEquals("not an IPv4 address: \"example.com\"", refusal("/tunnel?ip=example.com&port=80"));
        assertEquals("not an IPv4 address: \"::1\"", refusal("/tunnel?ip=::1&port=80"));
        assertEquals("port must be a number 1..65535: \"http\"", refusal("/tunnel?ip=192.168.127.2&port=http"));
        assertEquals("port must be a number 1..65535: \"0\"", refusal("/tunnel?ip=192.168.127.2&port=0"));
        assertEquals("port must be a number 1..65535: \"65536\"", refusal("/tunnel?ip=192.168.127.2&port=65536"));
    }

    @Test
    void addressesThatAreNoGuest_areRefusedWithWhy() {
        assertEquals("ip 127.0.0.1 is outside the virtual network 192.168.127.0/24",
                refusal("/tunnel?ip=127.0.0.1&port=80"));
        assertEquals("ip 192.168.127.255 is the network or broadcast address of 192.168.127.0/24",
                refusal("/tunnel?ip=192.168.127.255&port=80"));
        assertEquals("ip 192.168.127.1 is the gateway's own address, not a guest's",
                refusal("/tunnel?ip=192.168.127.1&port=80"));
        assertEquals("ip 192.168.127.254 is the gateway's own address, not a guest's",
                refusal("/tunnel?ip=192.168.127.254&port=80"));
    }
}
