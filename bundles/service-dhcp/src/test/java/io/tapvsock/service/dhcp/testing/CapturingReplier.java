package io.tapvsock.service.dhcp.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.UdpReplier;
import java.util.ArrayList;
import java.util.List;

/** A UdpReplier that decodes what is sent and releases it at once. */
public final class CapturingReplier implements UdpReplier {

    /** One datagram the server sent. */
    public record Sent(MacAddress mac, Ipv4Address address, int port, ReplyView reply) {
    }

    private final List<Sent> sent = new ArrayList<>();

    @Override
    public ByteBufAllocator alloc() {
        return PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public void send(MacAddress destinationMac, Ipv4Address destination, int destinationPort, ByteBuf payload) {
        try {
            sent.add(new Sent(destinationMac, destination, destinationPort, ReplyView.of(payload)));
        } finally {
            payload.release();
        }
    }

    /** Everything sent so far, then forgets it. */
    public List<Sent> take() {
        List<Sent> all = List.copyOf(sent);
        sent.clear();
        return all;
    }

    /** The one datagram sent since the last call; fails on none or several. */
    public Sent only() {
        List<Sent> all = take();
        if (all.size() != 1) {
            throw new AssertionError("want exactly one datagram, got " + all.size());
        }
        return all.getFirst();
    }

    @Override
    public UdpReplier forLater() {
        return this;
    }
}
