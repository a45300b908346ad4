package io.tapvsock.stack.net;

import io.netty.buffer.ByteBuf;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.wire.IcmpHeader;
import io.tapvsock.stack.wire.Ipv4Header;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ICMP at the gateway: echo requests to the gateway IP and its virtual IPs are answered (RFC 792; RFC 1122
 * §3.2.2.6: the reply carries the request's identifier, sequence number and data unchanged). ICMP toward any
 * other address is counted and dropped: forwarding it through an unprivileged ICMP socket is a later change,
 * and a forged reply would lie about reachability. Network loop only.
 */
public final class IcmpEcho {

    private final StackContext context;
    private final Ipv4Output output;
    private final IcmpHeader view = new IcmpHeader();
    private final IcmpHeader replyView = new IcmpHeader();

    private long packetsReceived;
    private long echoRequestsReceived;
    private long echoRepliesSent;
    private long invalidPackets;

    public IcmpEcho(StackContext context, Ipv4Output output) {
        this.context = context;
        this.output = output;
    }

    /**
     * One ICMP message from a guest.
     *
     * @param frame borrowed: not retained after return; the message is {@code [off, off + len)}
     * @param toGateway whether {@code destination} is the gateway IP or one of its virtual IPs
     */
    public void receive(long sourceMac, int source, int destination, boolean toGateway, ByteBuf frame, int off,
            int len) {
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
        if (!toGateway) {
            context.drop("icmp-forwarding-unsupported");
            return;
        }
        if (view.type() != IcmpHeader.TYPE_ECHO_REQUEST) {
            context.drop("icmp-unsupported-type"); // the gateway sends no requests, so expects no replies
            return;
        }
        if (view.code() != 0) {
            invalid("icmp-bad-code");
            return;
        }
        echoRequestsReceived++;
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

    /** Counters for /stats under "ICMP". */
    public Map<String, Object> snapshot() {
        Map<String, Object> received = new LinkedHashMap<>();
        received.put("Packets", packetsReceived);
        received.put("EchoRequest", echoRequestsReceived);
        received.put("Invalid", invalidPackets);
        Map<String, Object> sent = new LinkedHashMap<>();
        sent.put("EchoReply", echoRepliesSent);
        Map<String, Object> v4 = new LinkedHashMap<>();
        v4.put("PacketsReceived", received);
        v4.put("PacketsSent", sent);
        return Map.of("V4", v4);
    }
}
