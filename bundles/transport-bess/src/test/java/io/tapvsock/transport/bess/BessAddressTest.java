package io.tapvsock.transport.bess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BessAddressTest {

    @Test
    void unixpacketUrl_givesItsPath() {
        BessAddress address = BessAddress.parse("unixpacket:///run/user/1000/bess.sock");
        assertEquals(Path.of("/run/user/1000/bess.sock"), address.path());
        assertEquals("unixpacket:///run/user/1000/bess.sock", address.toString());
    }

    @Test
    void otherSchemes_areRefusedQuotingTheText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BessAddress.parse("unix:///tmp/b.sock"));
        assertTrue(e.getMessage().contains("\"unix:///tmp/b.sock\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BessAddress.parse(null));
    }

    @Test
    void relativePath_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BessAddress.parse("unixpacket://tmp/b.sock"));
        assertTrue(e.getMessage().contains("absolute"), e.getMessage());
    }
}
