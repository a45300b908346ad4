package io.tapvsock.transport.vfkit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.ReferenceCountUtil;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * The handler of a vfkit socket: learns the peer from the first datagram (a leading {@code VFKT} datagram is
 * vfkit's handshake and is consumed), makes it a switch port, and hands it every later datagram from that address
 * as one frame. Datagrams from anyone else are counted and dropped (one peer at a time, as gvproxy). When sending
 * to the peer fails (it went away), the port is detached and the next datagram's sender becomes the peer. Network
 * loop only. Read unix(7) for datagram sockets and vfkit's virtio-net documentation for the handshake.
 */
final class VfkitPeer extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(VfkitPeer.class.getName());
    private static final byte[] HANDSHAKE = "VFKT".getBytes(StandardCharsets.US_ASCII);
    /** An Ethernet II header: anything shorter is not a frame. */
    private static final int MIN_FRAME = 14;

    private final VirtualNetwork network;
    private final VfkitAddress address;
    private final int maxFrameSize;
    private final LinkCounters counters;
    private DomainSocketAddress peer;
    private NetworkPort port;
    /** The peer's address for the shell (NetworkPort itself is loop-only). */
    private volatile String peerDescription;
    private volatile int portId = -1;
    private boolean foreignLogged;

    VfkitPeer(VirtualNetwork network, VfkitAddress address, int maxFrameSize, LinkCounters counters) {
        this.network = network;
        this.address = address;
        this.maxFrameSize = maxFrameSize;
        this.counters = counters;
    }

    /** @param msg transferred: a datagram, handed on as a frame or released */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DomainDatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DomainSocketAddress sender = packet.sender();
        ByteBuf content = packet.content();
        if (sender == null || sender.path() == null || sender.path().isEmpty()) {
            drop(packet, "unnamed-sender"); // no address to answer to
            return;
        }
        if (peer == null) {
            if (!learn(ctx, sender)) {
                packet.release();
                return;
            }
            if (startsWithHandshake(content)) {
                packet.release();
                counters.increment(VfkitTransportStatus.HANDSHAKES);
                return;
            }
        } else if (!peer.equals(sender)) {
            if (!foreignLogged) {
                foreignLogged = true;
                LOG.log(Level.WARNING, "{0}: ignoring datagrams from {1}: the peer is {2} (one at a time)",
                        address, sender.path(), peer.path());
            }
            drop(packet, "foreign-sender");
            return;
        }
        int length = content.readableBytes();
        if (length < MIN_FRAME) {
            drop(packet, "runt");
            return;
        }
        if (length > maxFrameSize) { // the read buffer holds one byte more than the limit: it was cut
            drop(packet, "frame-too-long");
            return;
        }
        counters.frameIn(length);
        try {
            port.receive(content); // transfers the datagram's only reference
        } catch (RuntimeException e) {
            counters.stackError();
            LOG.log(Level.ERROR, address + ": the network failed on a frame", e);
        }
    }

    private static boolean startsWithHandshake(ByteBuf content) {
        if (content.readableBytes() < HANDSHAKE.length) {
            return false;
        }
        for (int i = 0; i < HANDSHAKE.length; i++) {
            if (content.getByte(content.readerIndex() + i) != HANDSHAKE[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean learn(ChannelHandlerContext ctx, DomainSocketAddress sender) {
        try {
            port = network.attach(new VfkitFrameSink(ctx.channel(), sender, maxFrameSize, counters),
                    "vfkit " + address + " peer " + sender.path());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, address + ": the network refused the peer's port", e);
            return false;
        }
        peer = sender;
        peerDescription = sender.path();
        portId = port.id();
        foreignLogged = false;
        counters.increment(VfkitTransportStatus.PEERS);
        LOG.log(Level.INFO, "{0}: peer {1} attached as port {2}", address, sender.path(), port.id());
        return true;
    }

    private void drop(DomainDatagramPacket packet, String reason) {
        packet.release();
        counters.droppedIn(reason);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (port != null) {
            port.endOfBurst();
        }
    }

    /** A send to the peer failed: it is gone (ECONNREFUSED, ENOENT). The next sender becomes the peer. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (peer != null) {
            LOG.log(Level.INFO, "{0}: peer {1} lost ({2}); the next sender becomes the peer", address, peer.path(),
                    cause.toString());
            counters.count(VfkitTransportStatus.PEER_LOSSES, cause.getClass().getSimpleName());
            forget();
        } else {
            LOG.log(Level.DEBUG, "{0}: {1}", address, cause.toString());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        forget();
        ctx.fireChannelInactive();
    }

    private void forget() {
        if (port != null) {
            NetworkPort leaving = port;
            port = null;
            leaving.detach();
            LOG.log(Level.INFO, "{0}: port {1} detached", address, leaving.id());
        }
        peer = null;
        peerDescription = null;
        portId = -1;
    }

    /** For the shell: the peer and its port, or "no peer". Any thread. */
    String describe() {
        String current = peerDescription;
        int id = portId;
        return current == null ? "no peer" : "peer " + current + (id < 0 ? "" : "  port " + id);
    }
}
