package io.tapvsock.service.capture.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapFileTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void theGlobalHeaderIsLibpcapsMicrosecondEthernetHeader() throws IOException {
        byte[] expected = HEX.parseHex("d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000"
                + "00000400" /* 262144 */ + "01000000");
        assertArrayEquals(expected, bytes(PcapFile.globalHeader()));
    }

    @Test
    void aRecordCarriesSecondsMicrosecondsAndBothLengths() {
        ByteBuffer batch = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        PcapFile.appendRecord(batch, 1_700_000_000_123_456L, new byte[] {1, 2, 3}, 3);
        byte[] expected = HEX.parseHex("00f15365" /* 1700000000 */ + "40e20100" /* 123456 */ + "03000000"
                + "03000000" + "010203");
        assertArrayEquals(expected, bytes(batch.flip()));
    }

    @Test
    void aNewFileHoldsTheHeaderAtOnceAndReplacesWhatWasThere(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("x.pcap");
        Files.write(path, new byte[100]);
        try (PcapFile file = PcapFile.create(path)) {
            assertArrayEquals(bytes(PcapFile.globalHeader()), Files.readAllBytes(path));
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
