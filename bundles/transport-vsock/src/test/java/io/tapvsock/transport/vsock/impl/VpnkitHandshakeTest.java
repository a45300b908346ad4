package io.tapvsock.transport.vsock.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VpnkitHandshakeTest {

    private static final String UUID = "c3d68012-0208-11ea-9fd7-f2189899ab08";

    private static byte[] command(String uuidText) {
        byte[] command = new byte[VpnkitHandshake.COMMAND_LENGTH];
        command[0] = 1;
        byte[] text = uuidText.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(text, 0, command, 1, Math.min(text.length, 36));
        return command;
    }

    @Test
    void reply_for_mtu_1500_and_the_default_mac() {
        byte[] reply = VpnkitHandshake.reply(1500, MacAddress.parse("5a:94:ef:e4:0c:ee"));
        assertEquals(258, reply.length);
        // 0x01; 1500 = 0x05dc LE; 1514 = 0x05ea LE; the MAC; zeros.
        assertEquals("01" + "dc05" + "ea05" + "5a94efe40cee", HexFormat.of().formatHex(reply, 0, 11));
        for (int i = 11; i < 258; i++) {
            assertEquals(0, reply[i], "byte " + i);
        }
    }

    @Test
    void the_largest_mtu_does_not_wrap_the_frame_size() {
        byte[] reply = VpnkitHandshake.reply(65535, MacAddress.DEFAULT_DEVICE);
        assertEquals("01ffffffff", HexFormat.of().formatHex(reply, 0, 5));
    }

    @Test
    void uuid_is_read_from_bytes_1_to_36() {
        assertEquals(UUID, VpnkitHandshake.uuidOf(command(UUID)));
        assertEquals(UUID, VpnkitHandshake.uuidOf(command(UUID.toUpperCase())));
        assertNull(VpnkitHandshake.uuidOf(command("not-a-uuid")));
        assertNull(VpnkitHandshake.uuidOf(command("c3d68012x0208-11ea-9fd7-f2189899ab08")));
    }

    @Test
    void mapped_uuid_gets_its_mac_others_a_random_local_unicast_one() {
        VpnkitHandshake handshake = new VpnkitHandshake(
                VpnkitHandshake.parseMacs(List.of(VpnkitHandshake.DEFAULT_UUID_MAC)), new SplittableRandom(1));
        assertEquals(MacAddress.DEFAULT_DEVICE, handshake.macFor(UUID));
        for (int i = 0; i < 100; i++) {
            MacAddress random = handshake.macFor("00000000-0000-0000-0000-000000000000");
            long firstOctet = random.bits() >>> 40;
            assertEquals(2, firstOctet & 3, "locally administered, unicast: " + random);
            assertFalse(random.isMulticast());
        }
    }

    @Test
    void mac_map_entries_are_checked() {
        assertEquals(Map.of(UUID, MacAddress.DEFAULT_DEVICE),
                VpnkitHandshake.parseMacs(List.of(UUID.toUpperCase() + "=5a:94:ef:e4:0c:ee")));
        IllegalArgumentException noEq = assertThrows(IllegalArgumentException.class,
                () -> VpnkitHandshake.parseMacs(List.of("5a:94:ef:e4:0c:ee")));
        assertTrue(noEq.getMessage().startsWith("uuidMacs: "), noEq.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VpnkitHandshake.parseMacs(List.of(UUID + "=zz")));
        assertThrows(IllegalArgumentException.class,
                () -> VpnkitHandshake.parseMacs(List.of(UUID + "=01:00:5e:00:00:01")));
    }

    @Test
    void reply_carries_the_mac_octets_in_order() {
        byte[] reply = VpnkitHandshake.reply(9000, MacAddress.parse("02:11:22:33:44:55"));
        assertArrayEquals(new byte[] {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, java.util.Arrays.copyOfRange(reply, 5, 11));
        assertEquals(9000, (reply[1] & 0xff) | (reply[2] & 0xff) << 8);
        assertEquals(9014, (reply[3] & 0xff) | (reply[4] & 0xff) << 8);
    }
}
