package io.tapvsock.tap;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The hello frame by which tapvsock's forwarder and daemon agree, per connection of the qemu stream framing, to
 * put a {@link TapDevice#VNET_HEADER_LENGTH}-byte virtio-net header in front of every frame ("vnet mode"): an
 * Ethernet II frame of EtherType 0x88B5 (IEEE 802 local experimental) whose payload is the ASCII bytes
 * {@value #MAGIC} padded with zeros to the 46-byte minimum, 60 bytes in all:
 *
 * <pre>
 *  0           6           12      14                      33              60
 *  +-----------+-----------+-------+-----------------------+---------------+
 *  | dst MAC   | src MAC   | 88 B5 | "tapvsock-vnet-hdr/1" | zeros         |
 *  +-----------+-----------+-------+-----------------------+---------------+
 * </pre>
 *
 * <p>Three steps, each a plain length-prefixed frame, so neither side ever misreads the other's stream:
 * <ol>
 *   <li><b>request</b>: the forwarder's first frame on each connection, to the broadcast MAC from its TAP's MAC.
 *       A real QEMU never sends it; a gvproxy drops it (or floods it to its other clients as a broadcast, where
 *       it passes for no answer, which is unicast) and never answers, so that link stays plain.</li>
 *   <li><b>answer</b>: a tapvsock daemon that allows offload answers with a hello to the requester's MAC from a
 *       MAC of its own. Every frame it sends after the answer carries the header.</li>
 *   <li><b>confirm</b>: the forwarder, having read the answer, sends a hello to the daemon's MAC (the answer's
 *       source) before its first record with a header. Every frame it sends after it carries the header. The
 *       forwarder's frames between request and confirm stay plain: it cannot know before the answer whether
 *       the daemon will ever answer.</li>
 * </ol>
 *
 * <p>Read before editing: IEEE 802 (EtherType 0x88B5 for local experimental use, and the 60-byte minimum frame
 * without FCS); the virtio spec v1.2, §5.1.6 (the header that follows the agreement).
 */
public final class VnetHello {

    /** The frame's length: the Ethernet minimum without FCS. */
    public static final int LENGTH = 60;
    public static final int ETHERTYPE = 0x88B5;
    public static final String MAGIC = "tapvsock-vnet-hdr/1";

    private static final int DESTINATION = 0;
    private static final int SOURCE = 6;
    private static final int TYPE = 12;
    private static final int PAYLOAD = 14;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    /** Bytes 12..60: EtherType and the zero-padded magic, the same in every hello. */
    private static final byte[] BODY = body();

    private VnetHello() {
    }

    private static byte[] body() {
        byte[] body = new byte[LENGTH - TYPE];
        body[0] = (byte) (ETHERTYPE >>> 8);
        body[1] = (byte) ETHERTYPE;
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, body, PAYLOAD - TYPE, magic.length);
        return body;
    }

    /** The forwarder's request: to the broadcast MAC, from {@code source} (its TAP's MAC). */
    public static byte[] request(byte[] source) {
        return frame(BROADCAST, source);
    }

    /**
     * The daemon's answer (to the requester's MAC, from a locally administered MAC of its own) or the
     * forwarder's confirmation (to the daemon's MAC, from its TAP's MAC).
     */
    public static byte[] to(byte[] destination, byte[] source) {
        return frame(destination, source);
    }

    private static byte[] frame(byte[] destination, byte[] source) {
        if (destination.length != 6 || source.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 octets");
        }
        byte[] frame = new byte[LENGTH];
        System.arraycopy(destination, 0, frame, DESTINATION, 6);
        System.arraycopy(source, 0, frame, SOURCE, 6);
        System.arraycopy(BODY, 0, frame, TYPE, BODY.length);
        return frame;
    }

    /** True for a hello of any addresses: exactly {@link #LENGTH} bytes, the EtherType and the padded magic. */
    public static boolean isHello(ByteBuffer frame, int offset, int length) {
        return length == LENGTH && bodyMatches(frame, offset);
    }

    private static boolean bodyMatches(ByteBuffer frame, int offset) {
        for (int i = 0; i < BODY.length; i++) {
            if (frame.get(offset + TYPE + i) != BODY[i]) {
                return false;
            }
        }
        return true;
    }

    /** True for the forwarder's request: a hello to the broadcast MAC. */
    public static boolean isRequest(ByteBuffer frame, int offset, int length) {
        return isHello(frame, offset, length) && addressedTo(frame, offset, BROADCAST);
    }

    /** True for an answer (or confirmation) to {@code mac}: a hello to exactly that MAC. */
    public static boolean isAnswerFor(ByteBuffer frame, int offset, int length, byte[] mac) {
        return isHello(frame, offset, length) && addressedTo(frame, offset, mac);
    }

    /** The sender's MAC: the source of a hello. */
    public static byte[] source(ByteBuffer frame, int offset) {
        byte[] mac = new byte[6];
        frame.get(offset + SOURCE, mac);
        return mac;
    }

    private static boolean addressedTo(ByteBuffer frame, int offset, byte[] mac) {
        byte[] destination = new byte[6];
        frame.get(offset + DESTINATION, destination);
        return Arrays.equals(destination, mac);
    }
}
