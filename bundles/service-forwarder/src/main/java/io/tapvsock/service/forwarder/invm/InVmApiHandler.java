package io.tapvsock.service.forwarder.invm;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.channel.Channel;
import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.service.forwarder.core.ForwardApi;
import io.tapvsock.service.forwarder.core.ForwarderCounters;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Read first: RFC 9112 (HTTP/1.1 message syntax, persistent connections).
 *
 * <p>The in-VM API (compat.md section 4: {@code http://<gatewayIP>:80} inside the VM serves the forwarder's three
 * paths only) on one guest connection to the gateway. HTTP/1.1 with keep-alive; the request's client address is
 * the guest's IP, so {@code {"local":":9090","remote":":8080"}} exposes the guest itself. Requests run on the
 * forwarder's API thread, because opening a forward waits for a bind on the network loop, where this handler
 * runs; one thread keeps pipelined answers in order.
 */
public final class InVmApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** API bodies are small: a larger one gets 413 from the aggregator. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(InVmApiHandler.class.getName());

    private final ForwardApi api;
    private final Executor executor;
    private final ForwarderCounters counters;

    private InVmApiHandler(ForwardApi api, Executor executor, ForwarderCounters counters) {
        this.api = api;
        this.executor = executor;
        this.counters = counters;
    }

    /** Sets up a guest's connection to gatewayIP:80. */
    public static void install(Channel channel, ForwardApi api, Executor executor, ForwarderCounters counters) {
        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY_BYTES),
                new InVmApiHandler(api, executor, counters));
    }

    /** @param request borrowed: not retained after return (the body is copied) */
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            counters.badRequests.increment();
            write(ctx, ApiResponse.text(400, "400 Bad Request\n"), false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        Map<String, List<String>> query = uri.parameters();
        String client = ctx.channel().remoteAddress() instanceof InetSocketAddress inet
                ? inet.getAddress().getHostAddress() : "";
        ApiRequest apiRequest = new ApiRequest(request.method().name(), uri.path(), query,
                ByteBufUtil.getBytes(request.content()), client);
        try {
            executor.execute(() -> {
                ApiResponse response;
                try {
                    response = api.handle(apiRequest);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "in-VM API " + apiRequest.method() + " " + apiRequest.path() + " failed", e);
                    response = ApiResponse.text(500, e.getMessage() + "\n");
                }
                ApiResponse answer = response;
                ctx.executor().execute(() -> write(ctx, answer, keepAlive));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, ApiResponse.text(503, "the forwarder is stopping\n"), false);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        counters.badRequests.increment();
        LOG.log(Level.DEBUG, () -> "in-VM API connection from " + ctx.channel().remoteAddress() + ": " + cause);
        ctx.close();
    }

    private static void write(ChannelHandlerContext ctx, ApiResponse answer, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
        if (answer.contentType() != null && answer.body().length > 0) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        }
        HttpUtil.setContentLength(response, answer.body().length);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
