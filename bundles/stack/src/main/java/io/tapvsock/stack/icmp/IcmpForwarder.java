package io.tapvsock.stack.icmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.stack.core.IdleFlowTable;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.wire.Checksum;
import io.tapvsock.stack.wire.IcmpHeader;
import io.tapvsock.stack.wire.Ipv4Header;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Guest echo requests to destinations beyond the gateway, forwarded through host ICMP sockets; the replies the
 * host receives go back to the guest with the guest's identifier. Read RFC 792, RFC 1122 §3.2.2.6 and RFC 5508
 * (NAT behaviour for ICMP queries: a mapping per identifier, kept at least 60 s idle) before editing.
 *
 * <p>Sockets, in order of preference: an unprivileged ping socket per flow (the kernel picks the identifier on
 * the wire and delivers to each socket only its own replies); when the namespace refuses those
 * (net.ipv4.ping_group_range), one raw ICMP socket shared by all flows, for which this class picks each flow's
 * identifier and filters the replies by (source, identifier) itself; when that is refused too (no CAP_NET_RAW),
 * requests are counted and dropped, and the refusal is logged once. A reply is never made up: the guest gets
 * one only when the destination answered.
 *
 * <p>Flows expire after an idle timeout and their number is capped (the least recently used makes room): see
 * {@link IdleFlowTable}. Network loop only.
 */
public final class IcmpForwarder {

    /** RFC 5508 REQ-1: an ICMP query mapping must not expire in less than 60 s. */
    public static final long DEFAULT_IDLE_SECONDS = 60;
    /** Each ping-socket flow holds a file descriptor. */
    public static final int DEFAULT_MAX_FLOWS = 256;

    private static final System.Logger LOG = System.getLogger(IcmpForwarder.class.getName());
    private static final int MAX_PACKET = 65535;
    /** Readiness is level-triggered: what is left after this many reads is reported again. */
    private static final int READS_PER_WAKEUP = 64;
    /** A refused namespace may be opened up (sysctl, capabilities) while the daemon runs: try again this late. */
    private static final long RETRY_REFUSED_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** ICMP_FILTER is a mask of the types to block (raw(7)): everything but echo replies. */
    private static final int ECHO_REPLIES_ONLY = ~(1 << IcmpHeader.TYPE_ECHO_REPLY);
    private static final ValueLayout.OfInt NETWORK_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private enum Mode { UNTRIED, PING, RAW, REFUSED }

    private final StackContext context;
    private final IcmpSocketOpener opener;
    /** The loop, when its I/O handler can watch our sockets (epoll); null otherwise. */
    private final IoEventLoop ioLoop;
    private final IdleFlowTable<EchoFlowKey, EchoFlow> flows;
    /** Raw-socket flows by (host address, identifier on the wire). */
    private final Map<Long, EchoFlow> rawFlows = new HashMap<>();
    /** Native scratch: [0, 16) a sockaddr_in, [16, 20) its length, [32, 32 + MAX_PACKET) the packet. */
    private final MemorySegment address;
    private final MemorySegment addressLength;
    private final MemorySegment packet;
    /** A ByteBuf view of {@link #packet}, for the wire views and checksums. */
    private final ByteBuf packetBuf;
    private Mode mode = Mode.UNTRIED;
    private long refusedAt;
    private boolean refusalLogged;
    private IcmpSocket raw;
    private int nextRawIdentifier = ThreadLocalRandom.current().nextInt(0x10000);

    private long requestsForwarded;
    private long repliesForwarded;
    private long refused;
    private long rawFallbacks;
    private long sendErrors;
    private long receiveErrors;
    private long socketFailures;
    private long foreignPackets;

    public IcmpForwarder(StackContext context, IcmpSocketOpener opener, long idleSeconds, int maxFlows) {
        this.context = context;
        this.opener = opener;
        this.ioLoop = context.loop() instanceof IoEventLoop loop && loop.isCompatible(IcmpSocket.class) ? loop : null;
        MemorySegment scratch = Arena.ofAuto().allocate(32 + MAX_PACKET, 8);
        this.address = scratch.asSlice(0, IcmpSyscalls.SOCKADDR_IN_LENGTH);
        this.addressLength = scratch.asSlice(16, 4);
        this.packet = scratch.asSlice(32, MAX_PACKET);
        this.packetBuf = Unpooled.wrappedBuffer(packet.asByteBuffer());
        this.flows = new IdleFlowTable<>(context, "ICMP", this::closeFlow, idleSeconds, maxFlows);
    }

    /** New limits; flows over the new cap are closed now, least recently used first. */
    public void configure(long idleSeconds, int maxFlows) {
        flows.configure(idleSeconds, maxFlows);
    }

    /**
     * One echo request from a guest to a destination that is not the gateway.
     *
     * @param message borrowed: not retained after return. readerIndex at the ICMP header, readableBytes the
     *     message; type 8, code 0, checksum verified.
     * @param ttl the guest's TTL, which the request keeps on the host
     */
    public void forward(int source, int destination, int ttl, ByteBuf message) {
        InetAddress host = context.hostAddressFor(destination);
        if (host == null) {
            context.drop("icmp-destination-refused");
            return;
        }
        int off = message.readerIndex();
        int len = message.readableBytes();
        EchoFlowKey key = new EchoFlowKey(source, destination, message.getUnsignedShort(off + 4));
        EchoFlow flow = flows.use(key);
        if (flow == null) {
            flow = open(key, Ipv4Address.fromBytes(host.getAddress()).bits());
            if (flow == null) {
                return;
            }
        }
        int error = flow.socket.ttl(ttl);
        if (error == 0) {
            packetBuf.setBytes(0, message, off, len);
            if (flow.hostIdentifier >= 0) { // raw: ours on the wire; a ping socket's kernel writes its own
                EchoMessages.rewrite(packetBuf, 0, len, flow.hostIdentifier, message.getUnsignedShort(off + 6));
            }
            address.fill((byte) 0);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) IcmpSyscalls.AF_INET); // host order; port 0
            address.set(NETWORK_INT, 4, flow.hostAddress);
            error = flow.socket.send(packet, len, address);
        }
        if (error != 0) {
            sendErrors++;
            context.drop("icmp-send-failed");
            int errno = error;
            LOG.log(System.Logger.Level.DEBUG, () -> "echo " + key + ": " + IcmpSyscalls.strerror(errno));
            return;
        }
        flow.requests++;
        requestsForwarded++;
    }

    private EchoFlow open(EchoFlowKey key, int hostAddress) {
        long now = context.nanoTime();
        if (mode == Mode.UNTRIED || mode == Mode.REFUSED && now - refusedAt >= RETRY_REFUSED_NANOS) {
            probe(now);
        }
        if (mode == Mode.REFUSED) {
            refused++;
            context.drop("icmp-forwarding-refused");
            return null;
        }
        flows.makeRoom();
        EchoFlow flow = mode == Mode.PING ? openPing(key, hostAddress) : openRaw(key, hostAddress);
        if (flow == null) {
            socketFailures++;
            context.drop("icmp-socket-failed");
            mode = Mode.UNTRIED; // what the namespace allows may have changed: ask again next time
            return null;
        }
        flows.add(key, flow);
        return flow;
    }

    /** Finds out which kind of socket this namespace and process may open. */
    private void probe(long now) {
        if (ioLoop == null) {
            refuse(now, "the network loop does not use epoll");
            return;
        }
        int ping = opener.open(IcmpSocketKind.PING);
        if (ping >= 0) {
            IcmpSyscalls.close(ping);
            mode = Mode.PING;
            LOG.log(System.Logger.Level.INFO, "ICMP echo forwarding through ping sockets");
            return;
        }
        if (raw == null) {
            raw = openRawSocket();
        }
        if (raw != null) {
            mode = Mode.RAW;
            rawFallbacks++;
            LOG.log(System.Logger.Level.INFO, "ICMP ping sockets refused (" + IcmpSyscalls.strerror(-ping)
                    + "; net.ipv4.ping_group_range): echo forwarding falls back to a raw ICMP socket");
            return;
        }
        refuse(now, "ping sockets refused (" + IcmpSyscalls.strerror(-ping)
                + ") and raw ICMP sockets too; allow them with sysctl net.ipv4.ping_group_range=\"0 2147483647\""
                + " or give the process CAP_NET_RAW");
    }

    private void refuse(long now, String why) {
        mode = Mode.REFUSED;
        refusedAt = now;
        if (!refusalLogged) {
            refusalLogged = true;
            LOG.log(System.Logger.Level.WARNING, "ICMP echo to destinations beyond the gateway is dropped: " + why);
        }
    }

    private EchoFlow openPing(EchoFlowKey key, int hostAddress) {
        int fd = opener.open(IcmpSocketKind.PING);
        if (fd < 0) {
            LOG.log(System.Logger.Level.DEBUG, () -> "ping socket for " + key + ": " + IcmpSyscalls.strerror(-fd));
            return null;
        }
        IcmpSocket socket = new IcmpSocket(IcmpSocketKind.PING, fd);
        EchoFlow flow = new EchoFlow(key, hostAddress, socket, -1);
        socket.register(ioLoop, () -> pingReadable(flow));
        return flow;
    }

    private EchoFlow openRaw(EchoFlowKey key, int hostAddress) {
        if (raw == null) {
            raw = openRawSocket();
            if (raw == null) {
                return null;
            }
        }
        int identifier;
        do { // at most maxFlows (< 65536) identifiers are taken, so this ends
            identifier = nextRawIdentifier;
            nextRawIdentifier = (nextRawIdentifier + 1) & 0xFFFF;
        } while (rawFlows.containsKey(rawKey(hostAddress, identifier)));
        EchoFlow flow = new EchoFlow(key, hostAddress, raw, identifier);
        rawFlows.put(rawKey(hostAddress, identifier), flow);
        return flow;
    }

    private IcmpSocket openRawSocket() {
        int fd = opener.open(IcmpSocketKind.RAW);
        if (fd < 0) {
            LOG.log(System.Logger.Level.DEBUG, () -> "raw ICMP socket: " + IcmpSyscalls.strerror(-fd));
            return null;
        }
        if (IcmpSyscalls.setIntOption(fd, IcmpSyscalls.SOL_RAW, IcmpSyscalls.ICMP_FILTER, ECHO_REPLIES_ONLY) < 0) {
            // Still correct without the filter (replies are matched below), only woken more often.
            LOG.log(System.Logger.Level.DEBUG, () -> "ICMP_FILTER: " + IcmpSyscalls.strerror(IcmpSyscalls.errno()));
        }
        IcmpSocket socket = new IcmpSocket(IcmpSocketKind.RAW, fd);
        socket.register(ioLoop, this::rawReadable);
        return socket;
    }

    private static long rawKey(int hostAddress, int identifier) {
        return (hostAddress & 0xFFFF_FFFFL) << 16 | identifier;
    }

    /** A ping socket delivers only echo replies to its own identifier, without IP header. */
    private void pingReadable(EchoFlow flow) {
        for (int i = 0; i < READS_PER_WAKEUP && !flow.socket.isClosed(); i++) {
            long length = flow.socket.receive(packet, address, addressLength);
            if (length < 0) {
                readFailed(flow.socket, length);
                break;
            }
            // The kernel matches on the identifier alone: a reply from elsewhere is no answer to this flow.
            if (length < IcmpHeader.LENGTH || packetBuf.getUnsignedByte(0) != IcmpHeader.TYPE_ECHO_REPLY
                    || address.get(NETWORK_INT, 4) != flow.hostAddress) {
                foreignPackets++;
                continue;
            }
            toGuest(flow, 0, (int) length);
        }
        context.flush();
    }

    /** A raw socket gets every ICMP packet of the namespace (the filter passes echo replies), IP header first. */
    private void rawReadable() {
        IcmpSocket socket = raw;
        for (int i = 0; i < READS_PER_WAKEUP && socket != null && !socket.isClosed(); i++) {
            long length = socket.receive(packet, address, addressLength);
            if (length < 0) {
                readFailed(socket, length);
                break;
            }
            int off = EchoMessages.icmpOffsetInRawPacket(packetBuf, (int) length);
            if (off < 0 || packetBuf.getUnsignedByte(off) != IcmpHeader.TYPE_ECHO_REPLY) {
                foreignPackets++;
                continue;
            }
            int len = (int) length - off;
            EchoFlow flow = rawFlows.get(rawKey(EchoMessages.rawSource(packetBuf), packetBuf.getUnsignedShort(off + 4)));
            if (flow == null) {
                foreignPackets++; // another process's ping, or a flow that ended
                continue;
            }
            if (!Checksum.verifies(Checksum.add(packetBuf, off, len, 0))) {
                foreignPackets++; // raw sockets see packets before the kernel's ICMP checks
                continue;
            }
            toGuest(flow, off, len);
        }
        context.flush();
    }

    private void readFailed(IcmpSocket socket, long result) {
        if (result != -IcmpSyscalls.EAGAIN) {
            receiveErrors++;
            LOG.log(System.Logger.Level.DEBUG, () -> socket + ": " + IcmpSyscalls.strerror((int) -result));
        }
    }

    /** The reply in {@code packetBuf[off, off + len)}, to the guest with its own identifier and sequence number. */
    private void toGuest(EchoFlow flow, int off, int len) {
        ByteBuf reply = context.alloc().directBuffer(len, len);
        reply.writeBytes(packetBuf, off, len);
        EchoMessages.rewrite(reply, 0, len, flow.key.identifier(), reply.getUnsignedShort(6));
        flows.use(flow.key);
        flow.replies++;
        repliesForwarded++;
        context.sendIpv4(flow.key.destination(), flow.key.source(), Ipv4Header.PROTOCOL_ICMP, reply);
    }

    /** Closes every flow idle for the timeout or longer. */
    public void expireIdle() {
        flows.expireIdle();
    }

    /** Closes a flow's ping socket, or releases its raw identifier (and the raw socket with the last one). */
    private void closeFlow(EchoFlow flow) {
        if (flow.hostIdentifier < 0) {
            flow.socket.close();
            return;
        }
        rawFlows.remove(rawKey(flow.hostAddress, flow.hostIdentifier));
        if (rawFlows.isEmpty() && raw != null) {
            raw.close(); // a raw socket wakes the loop for every echo reply on the host: keep it only while used
            raw = null;
        }
    }

    public int flowCount() {
        return flows.size();
    }

    /** One line per flow, least recently used first. */
    public List<String> describeFlows() {
        long now = context.nanoTime();
        List<String> lines = new ArrayList<>();
        for (EchoFlow flow : flows.flows()) {
            lines.add(flow + " idle " + TimeUnit.NANOSECONDS.toSeconds(now - flow.lastUsed()) + " s, " + flow.requests
                    + " out, " + flow.replies + " in");
        }
        return lines;
    }

    /** Counters for /stats under "ICMP" → "Forwarding". */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("Socket", mode.name().toLowerCase(java.util.Locale.ROOT));
        snapshot.put("EchoRequestsForwarded", requestsForwarded);
        snapshot.put("EchoRepliesForwarded", repliesForwarded);
        snapshot.put("Refused", refused);
        snapshot.put("RawFallbacks", rawFallbacks);
        snapshot.put("SendErrors", sendErrors);
        snapshot.put("ReceiveErrors", receiveErrors);
        snapshot.put("SocketFailures", socketFailures);
        snapshot.put("ForeignPacketsIgnored", foreignPackets);
        snapshot.put("Flows", (long) flows.size());
        snapshot.put("FlowsOpened", flows.opened());
        snapshot.put("FlowsExpired", flows.expired());
        snapshot.put("FlowsEvicted", flows.evicted());
        return snapshot;
    }

    /** Closes every flow and socket and cancels the sweep. */
    public void close() {
        flows.close();
        rawFlows.clear();
        if (raw != null) {
            raw.close();
            raw = null;
        }
    }
}
