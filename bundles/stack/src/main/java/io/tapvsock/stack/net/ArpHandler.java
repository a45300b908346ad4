package io.tapvsock.stack.net;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.link.Switch;
import io.tapvsock.stack.link.SwitchPort;
import io.tapvsock.stack.wire.ArpPacket;
import io.tapvsock.stack.wire.ArpRepr;
import io.tapvsock.stack.wire.EthernetHeader;
import io.tapvsock.stack.wire.EthernetRepr;
import io.tapvsock.stack.wire.WireException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's ARP: answers requests for the gateway IP and every virtual IP with the gateway MAC, learns the
 * sender of every request and reply, and asks for guests the stack must send to but has not heard from. Read
 * RFC 826 and RFC 5227 §2.1.1 (probes carry sender IP 0.0.0.0 and must not be learned) before editing.
 * Network loop only.
 */
public final class ArpHandler {

    private static final int FRAME_LENGTH = EthernetHeader.LENGTH + ArpPacket.LENGTH;
    /** One request per unknown address per second is enough: the guest answers at once or not at all. */
    private static final long REQUEST_INTERVAL_NANOS = 1_000_000_000L;
    private static final int MAX_PENDING_REQUESTS = 256;
    private static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;

    private final StackContext context;
    private final Switch switch_;
    private final NeighbourTable neighbours;
    private final ArpPacket view = new ArpPacket();
    private final ArpPacket emitView = new ArpPacket();
    private final EthernetHeader ethernet = new EthernetHeader();
    /** Target IP to the time of the last request for it. */
    private final IntObjectMap<long[]> requested = new IntObjectHashMap<>();
    private GatewayAddresses addresses;

    private long packetsReceived;
    private long requestsReceived;
    private long repliesReceived;
    private long malformedPacketsReceived;
    private long repliesSent;
    private long requestsSent;

    public ArpHandler(StackContext context, Switch switch_, NeighbourTable neighbours, GatewayAddresses addresses) {
        this.context = context;
        this.switch_ = switch_;
        this.neighbours = neighbours;
        this.addresses = addresses;
    }

    public void configure(GatewayAddresses addresses) {
        this.addresses = addresses;
        requested.clear();
    }

    /**
     * One ARP packet from a guest.
     *
     * @param frame borrowed: not retained after return
     */
    public void receive(SwitchPort from, ByteBuf frame, int off, int len) {
        packetsReceived++;
        String problem = view.wrapChecked(frame, off, len);
        if (problem != null) {
            malformed(problem);
            return;
        }
        ArpRepr arp;
        try {
            arp = ArpRepr.parse(view);
        } catch (WireException e) {
            malformed(e.reason());
            return;
        }
        boolean request = arp.operation() == ArpPacket.OPERATION_REQUEST;
        if (request) {
            requestsReceived++;
        } else {
            repliesReceived++;
        }
        if (arp.senderIp() != 0 && !addresses.isGatewayAddress(arp.senderIp())
                && !EthernetHeader.isMulticast(arp.senderMac())) {
            if (!neighbours.learn(arp.senderIp(), arp.senderMac(), from)) {
                context.drop("neighbour-table-full");
            }
            requested.remove(arp.senderIp());
        }
        if (request && addresses.isGatewayAddress(arp.targetIp())) {
            reply(from, arp);
        }
    }

    private void reply(SwitchPort to, ArpRepr request) {
        ByteBuf frame = context.alloc().directBuffer(FRAME_LENGTH, FRAME_LENGTH);
        new EthernetRepr(request.senderMac(), addresses.gatewayMac(), EthernetHeader.TYPE_ARP)
                .emit(ethernet.wrapUnchecked(frame, 0, EthernetHeader.LENGTH));
        new ArpRepr(ArpPacket.OPERATION_REPLY, addresses.gatewayMac(), request.targetIp(), request.senderMac(),
                request.senderIp()).emit(emitView.wrapUnchecked(frame, EthernetHeader.LENGTH, ArpPacket.LENGTH));
        frame.writerIndex(FRAME_LENGTH);
        repliesSent++;
        switch_.send(to, frame);
    }

    /** Broadcasts a request for {@code targetIp}, at most once per second per address. */
    public void request(int targetIp) {
        long now = context.nanoTime();
        long[] last = requested.get(targetIp);
        if (last != null && now - last[0] < REQUEST_INTERVAL_NANOS) {
            return;
        }
        if (last == null) {
            if (requested.size() >= MAX_PENDING_REQUESTS) {
                requested.clear();
            }
            last = new long[1];
            requested.put(targetIp, last);
        }
        last[0] = now;
        ByteBuf frame = context.alloc().directBuffer(FRAME_LENGTH, FRAME_LENGTH);
        new EthernetRepr(BROADCAST_MAC, addresses.gatewayMac(), EthernetHeader.TYPE_ARP)
                .emit(ethernet.wrapUnchecked(frame, 0, EthernetHeader.LENGTH));
        new ArpRepr(ArpPacket.OPERATION_REQUEST, addresses.gatewayMac(), addresses.gatewayIp(), 0, targetIp)
                .emit(emitView.wrapUnchecked(frame, EthernetHeader.LENGTH, ArpPacket.LENGTH));
        frame.writerIndex(FRAME_LENGTH);
        requestsSent++;
        switch_.sendFromGateway(BROADCAST_MAC, frame);
    }

    private void malformed(String reason) {
        malformedPacketsReceived++;
        context.drop(reason);
    }

    /** Counters for /stats under "ARP" (gVisor's names). */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("PacketsReceived", packetsReceived);
        snapshot.put("RequestsReceived", requestsReceived);
        snapshot.put("RepliesReceived", repliesReceived);
        snapshot.put("MalformedPacketsReceived", malformedPacketsReceived);
        snapshot.put("OutgoingRequestsSent", requestsSent);
        snapshot.put("OutgoingRepliesSent", repliesSent);
        snapshot.put("Neighbours", (long) neighbours.size());
        return snapshot;
    }
}
