package io.tapvsock.service.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DomainSearchListTest {

    private static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    @Test
    void encode_rfc3397Example() {
        // RFC 3397 §3: "eng.apple.com." and "marketing.apple.com.", the second pointing at "apple.com" (offset 4).
        DomainSearchList list = DomainSearchList.of(List.of("eng.apple.com.", "marketing.apple.com."));
        byte[] want = bytes(3, "eng", 5, "apple", 3, "com", 0, 9, "marketing", 0xC0, 0x04);
        assertEquals(27, want.length);
        assertArrayEquals(want, list.encoded());
        assertEquals(29, list.optionLength());
    }

    @Test
    void encode_comparesSuffixesWithoutCase() {
        DomainSearchList list = DomainSearchList.of(List.of("a.Example.com", "b.example.COM", "example.com"));
        byte[] want = bytes(1, "a", 7, "Example", 3, "com", 0, 1, "b", 0xC0, 0x02, 0xC0, 0x02);
        assertArrayEquals(want, list.encoded());
    }

    @Test
    void writeOptions_splitsEvery255Bytes() {
        List<String> domains = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            domains.add("x".repeat(40) + i + ".test" + i);
        }
        DomainSearchList list = DomainSearchList.of(domains);
        byte[] data = list.encoded();
        assertTrue(data.length > 255 && data.length <= 510, "length " + data.length);
        ByteBuf out = Unpooled.buffer();
        try {
            list.writeOptions(out);
            assertEquals(list.optionLength(), out.readableBytes());
            byte[] written = ByteBufUtil.getBytes(out);
            assertEquals(119, written[0] & 0xFF);
            assertEquals(255, written[1] & 0xFF);
            assertEquals(119, written[257] & 0xFF);
            assertEquals(data.length - 255, written[258] & 0xFF);
            byte[] joined = new byte[data.length];
            System.arraycopy(written, 2, joined, 0, 255);
            System.arraycopy(written, 259, joined, 255, data.length - 255);
            assertArrayEquals(data, joined);
        } finally {
            out.release();
        }
    }

    @Test
    void empty_writesNothing() {
        DomainSearchList list = DomainSearchList.of(List.of());
        assertTrue(list.isEmpty());
        assertEquals(0, list.optionLength());
    }

    @Test
    void invalidNames_areRefusedQuotingTheName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DomainSearchList.of(List.of("a..b")))
                .getMessage().contains("\"a..b\""));
        assertThrows(IllegalArgumentException.class, () -> DomainSearchList.of(List.of(".")));
        assertThrows(IllegalArgumentException.class, () -> DomainSearchList.of(List.of("x".repeat(64) + ".com")));
        assertThrows(IllegalArgumentException.class, () -> DomainSearchList.of(List.of("with space.com")));
        assertThrows(IllegalArgumentException.class, () -> DomainSearchList.of(List.of(("a".repeat(60) + ".").repeat(5))));
    }
}
