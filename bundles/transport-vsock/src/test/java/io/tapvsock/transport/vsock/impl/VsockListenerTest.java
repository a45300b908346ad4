package io.tapvsock.transport.vsock.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The vsock endpoint: AF_VSOCK only as far as create/bind/listen (testing.md: never connect to a context ID
 * here); the request handling it puts on each connection, on an embedded channel.
 */
@Timeout(60)
class VsockListenerTest {

    private static final String REQUEST = "POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n";

    @Test
    void bindsAnyCid_refusesAPortInUse_andReleasesItOnClose() throws Exception {
        int port = 20_000 + ThreadLocalRandom.current().nextInt(40_000);
        LinkCounters counters = VsockTransportStatus.newCounters();
        try (RealStack stack = new RealStack()) {
            VsockListener first = new VsockListener(stack.network, "vsock://:" + port, counters, () -> null);
            first.start();
            VsockListener second = new VsockListener(stack.network, "vsock://:" + port, counters, () -> null);
            IOException inUse = assertThrows(IOException.class, second::start);
            assertTrue(inUse.getMessage().contains("vsock://:" + port), inUse.getMessage());
            first.close();
            VsockListener again = new VsockListener(stack.network, "vsock://:" + port, counters, () -> null);
            again.start();
            again.close();
        }
    }

    @Test
    void urls() {
        assertEquals(new VsockUrl("vsock://:1024", VsockUrl.CID_ANY, 1024), VsockUrl.parse("vsock://:1024"));
        assertEquals(3, VsockUrl.parse("vsock://3:1024/connect").cid());
        assertThrows(IllegalArgumentException.class, () -> VsockUrl.parse("vsock://1024"));
        assertThrows(IllegalArgumentException.class, () -> VsockUrl.parse("vsock://:port"));
        assertThrows(IllegalArgumentException.class, () -> VsockUrl.parse("unix:///x"));
    }

    /** What the decoder passed on, and to which pipeline: the frame stream's or the API's. */
    private static final class Outcome {
        final List<String> after = new ArrayList<>();
        final List<String> refusals = new ArrayList<>();
        boolean connected;
        boolean api;
        boolean apiAvailable = true;
    }

    /** Records what reaches the handler the decoder chose. */
    private static ChannelInboundHandlerAdapter recorder(Outcome outcome) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                ByteBuf bytes = (ByteBuf) msg;
                outcome.after.add(bytes.toString(StandardCharsets.ISO_8859_1));
                bytes.release();
            }
        };
    }

    private static EmbeddedChannel channel(Outcome outcome) {
        return new EmbeddedChannel(new ConnectRequestDecoder(new ConnectRequestDecoder.Next() {
            @Override
            public void frameStream(ChannelHandlerContext ctx) {
                outcome.connected = true;
                ctx.pipeline().addLast(recorder(outcome));
            }

            @Override
            public boolean api(ChannelHandlerContext ctx) {
                if (!outcome.apiAvailable) {
                    return false;
                }
                outcome.api = true;
                ctx.pipeline().addLast(recorder(outcome));
                return true;
            }

            @Override
            public void refused(String reason, String detail) {
                outcome.refusals.add(reason);
            }
        }));
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    @Test
    void postConnect_inPieces_thenTheBytesAfterTheHeadGoOn() {
        Outcome outcome = new Outcome();
        EmbeddedChannel channel = channel(outcome);
        channel.writeInbound(bytes(REQUEST.substring(0, 20)));
        assertTrue(!outcome.connected);
        channel.writeInbound(bytes(REQUEST.substring(20) + "\u0004\u0000ping"));
        assertTrue(outcome.connected && !outcome.api);
        assertEquals(List.of("\u0004\u0000ping"), outcome.after);
        channel.writeInbound(bytes("\u0002\u0000hi"));
        assertEquals(List.of("\u0004\u0000ping", "\u0002\u0000hi"), outcome.after);
        assertNull(channel.readOutbound(), "no HTTP response");
        channel.finishAndReleaseAll();
    }

    @Test
    void otherRequests_goToTheApiWithEveryByteReadSoFar() {
        for (String request : List.of("GET /stats HTTP/1.1\r\nHost: x\r\n\r\n", "POST /services/forwarder/expose",
                "garbage\r\n\r\n", "POST /connection HTTP/1.1\r\n")) {
            Outcome outcome = new Outcome();
            EmbeddedChannel channel = channel(outcome);
            channel.writeInbound(bytes(request.substring(0, 1)));
            assertEquals(!request.startsWith("P"), outcome.api, "one byte decides unless it is a P: " + request);
            channel.writeInbound(bytes(request.substring(1)));
            channel.writeInbound(bytes("more"));
            assertTrue(outcome.api && !outcome.connected, request);
            assertEquals(request + "more", String.join("", outcome.after));
            assertNull(channel.readOutbound(), "the API answers, not the decoder");
            assertTrue(outcome.refusals.isEmpty());
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void badConnectHeads_getAnErrorWithTheReason_andTheConnectionCloses() {
        assertRefused("POST /connect HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", true, "HTTP/1.1 400", "body");
        assertRefused("POST /connect HTTP/1.1\r\nno colon\r\n\r\n", true, "HTTP/1.1 400", "malformed");
        assertRefused("POST /connect HTTP/1.1\r\nX: " + "y".repeat(9000), true, "HTTP/1.1 431", "too-long");
        assertRefused("GET /stats HTTP/1.1\r\n\r\n", false, "HTTP/1.1 503", "no-api");
    }

    private static void assertRefused(String request, boolean apiAvailable, String status, String reason) {
        Outcome outcome = new Outcome();
        outcome.apiAvailable = apiAvailable;
        EmbeddedChannel channel = channel(outcome);
        channel.writeInbound(bytes(request));
        ByteBuf response = channel.readOutbound();
        String text = response.toString(StandardCharsets.UTF_8);
        response.release();
        assertTrue(text.startsWith(status), text);
        assertEquals(List.of(reason), outcome.refusals, request);
        assertTrue(!outcome.connected && !outcome.api && !channel.isOpen(), request);
        channel.finishAndReleaseAll();
    }
}
