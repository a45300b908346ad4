package io.tapvsock.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ListenAddressTest {

    @Test
    void unix_url_gives_the_path() {
        ListenAddress address = ListenAddress.parse("unix:///tmp/vm/qemu.sock");
        assertTrue(address.isUnix());
        assertEquals(Path.of("/tmp/vm/qemu.sock"), address.unixPath());
        assertNull(address.tcpAddress());
        assertEquals("unix:///tmp/vm/qemu.sock", address.toString());
    }

    @Test
    void tcp_url_gives_host_and_port() {
        ListenAddress address = ListenAddress.parse("tcp://127.0.0.1:1234");
        assertFalse(address.isUnix());
        assertEquals(new InetSocketAddress("127.0.0.1", 1234), address.tcpAddress());
        assertEquals(new InetSocketAddress("::1", 5), ListenAddress.parse("tcp://[::1]:5").tcpAddress());
        assertEquals(new InetSocketAddress(7), ListenAddress.parse("tcp://:7").tcpAddress());
    }

    @Test
    void malformed_urls_name_the_field() {
        for (String bad : new String[] {"", "unix://", "unix://relative.sock", "tcp://127.0.0.1", "tcp://127.0.0.1:x", "tcp://h:70000",
                "udp://127.0.0.1:1", "/tmp/x.sock"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(bad));
            assertTrue(e.getMessage().startsWith("listen: "), e.getMessage());
        }
    }
}
