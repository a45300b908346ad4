package io.tapvsock.service.capture.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A classic libpcap file being written (the format tcpdump, tshark and Wireshark read: a 24-byte global header,
 * then a 16-byte header before each frame; see draft-ietf-opsawg-pcap). Little-endian, microsecond timestamps,
 * LINKTYPE_ETHERNET.
 *
 * <p>The header goes out when the file opens, so the file is valid before the first frame. Records go out
 * whole through {@link #write}, straight to the kernel (no buffering in the JVM): what was written survives
 * the process being killed.
 */
public final class PcapFile implements AutoCloseable {

    /** The magic number of microsecond timestamps, as written by a little-endian writer: d4 c3 b2 a1. */
    static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    static final short VERSION_MAJOR = 2;
    static final short VERSION_MINOR = 4;
    /**
     * Large enough for a TCP super-segment (segmentation offload: a 64 KiB IPv4 datagram plus its Ethernet
     * header), which is captured whole as the link carries it; 262144 is what tcpdump uses by default.
     */
    public static final int SNAPLEN = 262_144;
    /** LINKTYPE_ETHERNET: IEEE 802.3 frames without FCS. */
    static final int LINKTYPE_ETHERNET = 1;
    static final int GLOBAL_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;

    private final Path path;
    private final FileChannel channel;

    private PcapFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Creates (or truncates) {@code path} and writes the global header. */
    public static PcapFile create(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            PcapFile file = new PcapFile(path, channel);
            file.write(globalHeader());
            return file;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The 24-byte global header. */
    static ByteBuffer globalHeader() {
        ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC_MICROSECONDS).putShort(VERSION_MAJOR).putShort(VERSION_MINOR)
                .putInt(0) // thiszone: timestamps are UTC
                .putInt(0) // sigfigs: always 0
                .putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        return header.flip();
    }

    /**
     * Appends one record (header and frame) to {@code batch}, which must have room for
     * {@link #RECORD_HEADER_LENGTH} + {@code frame.length} bytes and be little-endian.
     *
     * @param epochMicros the capture time in microseconds since 1970 (UTC)
     * @param originalLength the frame's length on the wire (more than {@code frame.length} when cut at the snaplen)
     */
    public static void appendRecord(ByteBuffer batch, long epochMicros, byte[] frame, int originalLength) {
        batch.putInt((int) (epochMicros / 1_000_000)).putInt((int) (epochMicros % 1_000_000))
                .putInt(frame.length).putInt(originalLength).put(frame);
    }

    /** Writes every remaining byte of {@code bytes} (whole records only). */
    public void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
