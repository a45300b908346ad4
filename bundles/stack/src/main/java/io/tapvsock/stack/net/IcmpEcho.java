package io.tapvsock.stack.net;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.wire.IcmpHeader;
import io.tapvsock.stack.wire.Ipv4Header;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ICMP at the gateway: echo requests to the gateway IP and its virtual IPs (except NATed ones) are answered (RFC 792; RFC 1122
 * §3.2.2.6: the reply carries the request's identifier, sequence number and data unchanged). Echo requests to
 * any other address go to the transport dispatch, which forwards them to the host (never answered here: a
 * made-up reply would lie about reachability); other ICMP toward other addresses is counted and dropped.
 * Network loop only.
 */
public final class IcmpEcho {

    private final StackContext context;
    private final Ipv4Output output;
    private final TransportDispatch transport;
    private final IcmpHeader view = new IcmpHeader();
    private final IcmpHeader replyView = new IcmpHeader();

    private long packetsReceived;
    private long echoRequestsReceived;
    private long echoRequestsToForward;
    private long echoRepliesSent;
    private long invalidPackets;

    public IcmpEcho(StackContext context, Ipv4Output output, TransportDispatch transport) {
        this.context = context;
        this.output = output;
        this.transport = transport;
    }

    /**
     * One ICMP message from a guest.
     *
     * @param frame borrowed: not retained after return; the message is {@code [off, off + len)}
     * @param toGateway whether {@code destination} is the gateway IP or one of its virtual IPs
     * @param ttl the TTL of the guest's packet
     */
    public void receive(long sourceMac, int source, int destination, boolean toGateway, int ttl, ByteBuf frame,
            int off, int len) {
        packetsReceived++;
        String problem = view.wrapChecked(frame, off, len);
        if (problem != null) {
            invalid(problem);
            return;
        }
        if (!view.checksumValid()) {
            invalid("icmp-bad-checksum");
            return;
        }
        if (view.type() != IcmpHeader.TYPE_ECHO_REQUEST) {
            context.drop("icmp-unsupported-type"); // the gateway and its flows send no requests, so expect no replies
            return;
        }
        if (view.code() != 0) {
            invalid("icmp-bad-code");
            return;
        }
        echoRequestsReceived++;
        // A NATed address (the host IP by default) is also a gateway virtual IP for ARP, but its echo is the host's
        // to answer: forwarded, so a guest's ping to the host IP tells whether the host really answers.
        if (!toGateway || context.settings().nat().containsKey(new Ipv4Address(destination))) {
            echoRequestsToForward++;
            frame.setIndex(off, off + len);
            transport.icmpEchoRequest(source, destination, ttl, frame);
            return;
        }
        ByteBuf reply = context.alloc().directBuffer(len, len);
        reply.writeBytes(frame, off, len);
        replyView.wrapUnchecked(reply, 0, len);
        replyView.setType(IcmpHeader.TYPE_ECHO_REPLY);
        replyView.fillChecksum();
        echoRepliesSent++;
        output.sendTo(sourceMac, destination, source, Ipv4Header.PROTOCOL_ICMP, reply);
    }

    private void invalid(String reason) {
        invalidPackets++;
        context.drop(reason);
    }

    /**
     * Counters for /stats under "ICMP".
     *
     * @param forwardedReplies echo replies the forwarder passed on from the host
     * @param destinationUnreachable destination unreachable errors sent to guests
     */
    public Map<String, Object> snapshot(long forwardedReplies, long destinationUnreachable) {
        Map<String, Object> received = new LinkedHashMap<>();
        received.put("Packets", packetsReceived);
        received.put("EchoRequest", echoRequestsReceived);
        received.put("EchoRequestToForward", echoRequestsToForward);
        received.put("Invalid", invalidPackets);
        Map<String, Object> sent = new LinkedHashMap<>();
        sent.put("EchoReply", echoRepliesSent + forwardedReplies);
        sent.put("DstUnreachable", destinationUnreachable);
        Map<String, Object> v4 = new LinkedHashMap<>();
        v4.put("PacketsReceived", received);
        v4.put("PacketsSent", sent);
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("V4", v4);
        return snapshot;
    }
}
