package io.tapvsock.transport.vsock.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.StreamPort;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * First in a vpnkit client's pipeline: runs {@link VpnkitHandshake} (hello echoed, command read, 258-byte
 * answer), then puts the hyperkit pipeline in its place and leaves, handing it the bytes that came after the
 * command. A client that closes inside the handshake, sends a command without a UUID, or takes longer than
 * {@value #TIMEOUT_SECONDS} s is closed, logged and counted in {@link VsockTransportStatus#HANDSHAKE_FAILURES}.
 * Network loop only.
 */
final class VpnkitHandshakeHandler extends ByteToMessageDecoder {

    private static final System.Logger LOG = System.getLogger(VpnkitHandshakeHandler.class.getName());
    /** A client that connects and says nothing must not hold a connection forever. */
    static final long TIMEOUT_SECONDS = 30;

    private enum Phase { HELLO, COMMAND, DONE }

    private final VirtualNetwork network;
    private final VpnkitHandshake handshake;
    private final int mtu;
    private final String description;
    private final LinkCounters counters;
    private Phase phase = Phase.HELLO;
    private ScheduledFuture<?> timeout;
    private StreamPort port;

    /** @param mtu announced to the client; the frame limit is MTU + 14 (+ 4 for a VLAN tag) */
    VpnkitHandshakeHandler(VirtualNetwork network, VpnkitHandshake handshake, int mtu, String description,
            LinkCounters counters) {
        this.network = network;
        this.handshake = handshake;
        this.mtu = mtu;
        this.description = description;
        this.counters = counters;
    }

    /** The port once the handshake is done, else null. */
    StreamPort port() {
        return port;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> fail(ctx, "timeout", "no complete handshake within "
                + TIMEOUT_SECONDS + " s"), TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (phase == Phase.HELLO && in.readableBytes() >= VpnkitHandshake.HELLO_LENGTH) {
            ByteBuf hello = in.readRetainedSlice(VpnkitHandshake.HELLO_LENGTH);
            LOG.log(Level.DEBUG, "{0}: hello \"{1}\"", description,
                    hello.toString(hello.readerIndex(), 5, StandardCharsets.ISO_8859_1));
            ctx.writeAndFlush(hello);
            phase = Phase.COMMAND;
        }
        if (phase == Phase.COMMAND && in.readableBytes() >= VpnkitHandshake.COMMAND_LENGTH) {
            byte[] command = new byte[VpnkitHandshake.COMMAND_LENGTH];
            in.readBytes(command);
            String uuid = VpnkitHandshake.uuidOf(command);
            if (uuid == null) {
                fail(ctx, "bad-uuid", "the command holds no UUID: \""
                        + new String(command, 1, VpnkitHandshake.UUID_LENGTH, StandardCharsets.ISO_8859_1) + "\"");
                return;
            }
            MacAddress mac = handshake.macFor(uuid);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(VpnkitHandshake.reply(mtu, mac)));
            finish(ctx, uuid, mac);
        }
    }

    /** Hands the stream over to hyperkit framing; what is left of the read buffer goes to the decoder. */
    private void finish(ChannelHandlerContext ctx, String uuid, MacAddress mac) {
        phase = Phase.DONE;
        timeout.cancel(false);
        counters.increment(VsockTransportStatus.HANDSHAKES);
        LOG.log(Level.INFO, "{0}: handshake done, UUID {1}, MAC {2}, MTU {3}", description, uuid, mac,
                Integer.toString(mtu));
        int maxFrame = Math.min(HyperkitStream.MAX_FRAME_SIZE, mtu + 18);
        // This handler is the pipeline's only one until now: the decoder and the port go right after it.
        port = HyperkitStream.addTo(ctx.pipeline(), network, description, maxFrame, counters);
        ctx.pipeline().remove(this); // passes on the bytes already read after the command
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (phase != Phase.DONE) {
            String reason = phase == Phase.HELLO ? "short-hello" : "short-command";
            in.skipBytes(in.readableBytes());
            fail(ctx, reason, "the client closed inside the handshake (" + reason + ")");
        }
    }

    private void fail(ChannelHandlerContext ctx, String reason, String detail) {
        if (phase == Phase.DONE) {
            return;
        }
        phase = Phase.DONE;
        timeout.cancel(false);
        counters.count(VsockTransportStatus.HANDSHAKE_FAILURES, reason);
        LOG.log(Level.WARNING, "{0}: closing client {1}: bad vpnkit handshake: {2}", description,
                StreamPort.peer(ctx.channel()), detail);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, "io-error", cause.toString());
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
