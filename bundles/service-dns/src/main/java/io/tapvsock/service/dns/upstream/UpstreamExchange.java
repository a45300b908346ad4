package io.tapvsock.service.dns.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tapvsock.service.dns.core.DnsCounters.Counter;
import io.tapvsock.service.dns.core.Forwarder;
import io.tapvsock.service.dns.wire.DnsHeader;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One query on its way upstream: attempts in turn over the servers, each a UDP exchange that becomes a TCP
 * exchange with the same server when the answer has TC set; the first acceptable answer, or the end of the
 * attempts, finishes it exactly once. Network loop only; events from an attempt's channel after the attempt
 * ended are ignored (each handler checks it still belongs to the current channel).
 *
 * <p>Read first: RFC 1035 §4.2.1-§4.2.2, RFC 7766 §5 (TC then TCP), RFC 5452 §9 (accept an answer only when ID,
 * source and question match what was asked).
 */
final class UpstreamExchange {

    private static final System.Logger LOG = System.getLogger(UpstreamExchange.class.getName());

    /** The largest DNS message: UDP answers up to the EDNS0 limits anyone uses, TCP's 16-bit length. */
    private static final int MAX_MESSAGE = 65535;

    private final NettyForwarder forwarder;
    private final ByteBuf query;
    private final int guestId;
    private final int ourId;
    private final List<InetSocketAddress> servers;
    private final ForwarderSettings settings;
    private final Forwarder.Callback callback;
    private final DnsQuestion question;

    private int attempt;
    private Channel channel;
    private ScheduledFuture<?> timer;
    private boolean done;

    /**
     * @param query transferred: this exchange releases it; the guest's query with {@code ourId} in place
     */
    UpstreamExchange(NettyForwarder forwarder, ByteBuf query, int guestId, int ourId,
            List<InetSocketAddress> servers, ForwarderSettings settings, Forwarder.Callback callback) {
        this.forwarder = forwarder;
        this.query = query;
        this.guestId = guestId;
        this.ourId = ourId;
        this.servers = servers;
        this.settings = settings;
        this.callback = callback;
        this.question = questionOf(query);
    }

    void start() {
        startUdp();
    }

    /** The forwarder is closing. */
    void abort() {
        fail(Forwarder.Failure.CLOSED);
    }

    private InetSocketAddress server() {
        return servers.get(attempt % servers.size());
    }

    private void startUdp() {
        InetSocketAddress server = server();
        Bootstrap bootstrap = new Bootstrap().group(forwarder.loop()).channelFactory(forwarder.channels().datagram())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_MESSAGE))
                .handler(new UdpHandler());
        ChannelFuture connect = bootstrap.connect(server);
        channel = connect.channel();
        armTimer();
        Channel attemptChannel = channel;
        connect.addListener(connected -> {
            if (attemptChannel != channel) {
                return;
            }
            if (!connected.isSuccess()) {
                attemptFailed("connect to " + server + ": " + connected.cause(), false);
                return;
            }
            attemptChannel.writeAndFlush(query.retainedDuplicate()).addListener(written -> {
                if (!written.isSuccess() && attemptChannel == channel) {
                    attemptFailed("send to " + server + ": " + written.cause(), false);
                }
            });
        });
    }

    private void startTcp() {
        InetSocketAddress server = server();
        Bootstrap bootstrap = new Bootstrap().group(forwarder.loop()).channelFactory(forwarder.channels().stream())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // RFC 1035 §4.2.2: a 2-byte length, then the message.
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(2 + MAX_MESSAGE, 0, 2, 0, 2),
                                new TcpHandler());
                    }
                });
        ChannelFuture connect = bootstrap.connect(server);
        channel = connect.channel();
        armTimer();
        Channel attemptChannel = channel;
        connect.addListener(connected -> {
            if (attemptChannel != channel) {
                return;
            }
            if (!connected.isSuccess()) {
                attemptFailed("TCP connect to " + server + ": " + connected.cause(), false);
                return;
            }
            ByteBuf framed = forwarder.alloc().buffer(2 + query.readableBytes());
            framed.writeShort(query.readableBytes());
            framed.writeBytes(query, query.readerIndex(), query.readableBytes());
            attemptChannel.writeAndFlush(framed);
        });
    }

    private void armTimer() {
        cancelTimer();
        Channel attemptChannel = channel;
        timer = forwarder.loop().schedule(() -> {
            if (attemptChannel == channel) {
                attemptFailed("no answer from " + server() + " within " + settings.timeout().toMillis() + " ms",
                        true);
            }
        }, settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** An answer from the current UDP channel. */
    private void udpAnswer(ByteBuf answer) {
        if (!acceptable(answer)) {
            forwarder.counters().count(Counter.UPSTREAM_MISMATCHED);
            return;
        }
        if (DnsHeader.wrapUnchecked(answer, answer.readerIndex()).isTruncated()) {
            forwarder.counters().count(Counter.UPSTREAM_TCP_RETRIES);
            closeChannel();
            startTcp();
            return;
        }
        succeed(answer.retain());
    }

    /** An answer from the current TCP channel: one exchange per connection, so anything unexpected fails it. */
    private void tcpAnswer(ByteBuf answer) {
        if (!acceptable(answer)) {
            forwarder.counters().count(Counter.UPSTREAM_MISMATCHED);
            attemptFailed("TCP answer from " + server() + " does not match the query", false);
            return;
        }
        succeed(answer.retain());
    }

    /** Our ID, a response, and our question (or none: some servers drop it from FORMERR and SERVFAIL). */
    private boolean acceptable(ByteBuf answer) {
        if (answer.readableBytes() < DnsHeader.LENGTH) {
            return false;
        }
        DnsHeader header = DnsHeader.wrapUnchecked(answer, answer.readerIndex());
        if (header.id() != ourId || !header.isResponse()) {
            return false;
        }
        if (header.questionCount() == 0) {
            return true;
        }
        DnsQuestion echoed = questionOf(answer);
        return echoed != null && echoed.type().equals(question.type()) && echoed.dnsClass() == question.dnsClass()
                && echoed.name().toLowerCase(Locale.ROOT).equals(question.name().toLowerCase(Locale.ROOT));
    }

    /** The first question of a message, or null when it cannot be read. */
    private static DnsQuestion questionOf(ByteBuf message) {
        ByteBuf in = message.slice();
        if (in.readableBytes() < DnsHeader.LENGTH) {
            return null;
        }
        in.readerIndex(DnsHeader.LENGTH);
        try {
            return DnsRecordDecoder.DEFAULT.decodeQuestion(in);
        } catch (Exception e) {
            return null;
        }
    }

    private void attemptFailed(String reason, boolean timeout) {
        if (done) {
            return;
        }
        forwarder.counters().count(timeout ? Counter.UPSTREAM_TIMEOUTS : Counter.UPSTREAM_ERRORS);
        LOG.log(Level.DEBUG, "DNS upstream attempt {0} failed: {1}", attempt + 1, reason);
        closeChannel();
        cancelTimer();
        attempt++;
        if (attempt < settings.attempts()) {
            startUdp();
        } else {
            fail(Forwarder.Failure.NO_ANSWER);
        }
    }

    /** @param answer transferred: handed to the callback */
    private void succeed(ByteBuf answer) {
        if (done) {
            answer.release();
            return;
        }
        end();
        answer.setShort(answer.readerIndex(), guestId);
        callback.answered(answer);
    }

    private void fail(Forwarder.Failure failure) {
        if (done) {
            return;
        }
        end();
        callback.failed(failure);
    }

    private void end() {
        done = true;
        cancelTimer();
        closeChannel();
        query.release();
        forwarder.finished(this);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void closeChannel() {
        Channel current = channel;
        channel = null;
        if (current != null) {
            current.close();
        }
    }

    private final class UdpHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (ctx.channel() == channel) {
                    udpAnswer(msg instanceof DatagramPacket packet ? packet.content() : (ByteBuf) msg);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A connected UDP socket reports ICMP port unreachable here: try the next attempt at once.
            if (ctx.channel() == channel) {
                attemptFailed(String.valueOf(cause), false);
            }
        }
    }

    private final class TcpHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (ctx.channel() == channel) {
                    tcpAnswer((ByteBuf) msg);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                attemptFailed("TCP connection to " + server() + " closed without an answer", false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel() == channel) {
                attemptFailed("TCP to " + server() + ": " + cause, false);
            }
        }
    }
}
