package io.tapvsock.service.dhcp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Captured messages. udhcpc-discover.bin and udhcpc-request.bin are the UDP payloads busybox 1.35.0's udhcpc
 * sent on a veth pair (MAC 5a:94:ef:e4:0c:ee, "-x hostname:guest1" for the DISCOVER; the REQUEST selects
 * 192.168.127.15 from server 192.168.127.1, a busybox udhcpd), read with an AF_PACKET socket.
 */
public final class Fixtures {

    private Fixtures() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/io/tapvsock/service/dhcp/wire/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
