package io.tapvsock.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TapConfigTest {

    @Test
    void named_changesNothingByDefault() {
        TapConfig config = TapConfig.named("tap0");
        assertTrue(config.namespace().isEmpty());
        assertTrue(config.mac().isEmpty());
        assertTrue(config.mtu().isEmpty());
        assertFalse(config.up());
        assertFalse(config.preexisting());
        assertFalse(config.offload());
    }

    @Test
    void withers_setEachField() {
        TapConfig config = TapConfig.named("tap1").inNamespace(Path.of("/var/run/netns/x"))
                .withMac("5a:94:ef:e4:0c:ee").withMtu(1500).up(true).preexisting(true).offload(true);
        assertEquals(Path.of("/var/run/netns/x"), config.namespace().orElseThrow());
        assertArrayEquals(new byte[] {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xee},
                config.mac().orElseThrow());
        assertEquals(1500, config.mtu().getAsInt());
        assertTrue(config.up());
        assertTrue(config.preexisting());
        assertTrue(config.offload());
        // Later withers keep it.
        assertTrue(config.withMtu(9000).up(false).offload());
    }

    @Test
    void sixArgumentConstructor_meansNoOffload() {
        TapConfig config = new TapConfig("tap0", Optional.empty(), false, Optional.empty(), OptionalInt.of(1500),
                true);
        assertFalse(config.offload());
        assertEquals(config, TapConfig.named("tap0").withMtu(1500).up(true));
    }

    @Test
    void mac_isCopiedInAndOut() {
        byte[] mac = TapConfig.parseMac("02-00-00-00-00-01");
        TapConfig config = TapConfig.named("tap0").withMac(mac);
        mac[0] = 9;
        config.mac().orElseThrow()[1] = 9;
        assertArrayEquals(TapConfig.parseMac("02:00:00:00:00:01"), config.mac().orElseThrow());
    }

    @Test
    void badValues_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named(""));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named("sixteen-chars-xx"));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named("tap 0"));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named("tap/0"));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named("tap0").withMtu(67));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named("tap0").withMtu(65536));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named("tap0").withMac(new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.parseMac("5a:94:ef:e4:0c"));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.parseMac("5a:94:ef:e4:0c:zz"));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.parseMac("5a:94:ef:e4:0c:eee"));
    }
}
