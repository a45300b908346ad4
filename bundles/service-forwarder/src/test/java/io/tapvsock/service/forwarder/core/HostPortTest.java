package io.tapvsock.service.forwarder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void splits_asGo() {
        assertEquals(new HostPort("192.168.127.2", "22"), HostPort.split("192.168.127.2:22"));
        assertEquals(new HostPort("", "8080"), HostPort.split(":8080"));
        assertEquals(new HostPort("::1", "8080"), HostPort.split("[::1]:8080"));
    }

    @Test
    void errors_asGo() {
        assertEquals("address x: missing port in address", error("x"));
        assertEquals("address ::1:80: too many colons in address", error("::1:80"));
        assertEquals("address [::1:80: missing ']' in address", error("[::1:80"));
        assertEquals("address [::1]: missing port in address", error("[::1]"));
    }

    @Test
    void portNumber_checksTheRange() {
        assertEquals(65535, HostPort.split(":65535").portNumber("p"));
        assertEquals("p: invalid port \"65536\"",
                assertThrows(IllegalArgumentException.class, () -> HostPort.split(":65536").portNumber("p"))
                        .getMessage());
    }

    private static String error(String address) {
        return assertThrows(IllegalArgumentException.class, () -> HostPort.split(address)).getMessage();
    }
}
