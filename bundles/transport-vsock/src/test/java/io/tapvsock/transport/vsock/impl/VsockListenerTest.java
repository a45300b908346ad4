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
            VsockListener first = new VsockListener(stack.network, "vsock://:" + port, counters);
            first.start();
            VsockListener second = new VsockListener(stack.network, "vsock://:" + port, counters);
            IOException inUse = assertThrows(IOException.class, second::start);
            assertTrue(inUse.getMessage().contains("vsock://:" + port), inUse.getMessage());
            first.close();
            VsockListener again = new VsockListener(stack.network, "vsock://:" + port, counters);
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

    /** What the decoder passes on after the head, and whether it asked for the frame pipeline. */
    private static final class Outcome {
        final List<String> after = new ArrayList<>();
        final List<String> refusals = new ArrayList<>();
        boolean connected;
    }

    private static EmbeddedChannel channel(Outcome outcome) {
        return new EmbeddedChannel(new ConnectRequestDecoder(ctx -> {
            outcome.connected = true;
            ctx.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext c, Object msg) {
                    ByteBuf bytes = (ByteBuf) msg;
                    outcome.after.add(bytes.toString(StandardCharsets.ISO_8859_1));
                    bytes.release();
                }
            });
        }, outcome.refusals::add));
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
        assertTrue(outcome.connected);
        assertEquals(List.of("\u0004\u0000ping"), outcome.after);
        channel.writeInbound(bytes("\u0002\u0000hi"));
        assertEquals(List.of("\u0004\u0000ping", "\u0002\u0000hi"), outcome.after);
        assertNull(channel.readOutbound(), "no HTTP response");
        channel.finishAndReleaseAll();
    }

    @Test
    void otherRequestsGetAnErrorWithTheReason_andTheConnectionCloses() {
        for (String request : List.of("GET /stats HTTP/1.1\r\nHost: x\r\n\r\n",
                "POST /connect HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", "garbage\r\n\r\n")) {
            Outcome outcome = new Outcome();
            EmbeddedChannel channel = channel(outcome);
            channel.writeInbound(bytes(request));
            ByteBuf response = channel.readOutbound();
            String text = response.toString(StandardCharsets.UTF_8);
            response.release();
            assertTrue(text.startsWith("HTTP/1.1 4"), text);
            assertEquals(1, outcome.refusals.size(), request);
            assertTrue(!outcome.connected && !channel.isOpen(), request);
            channel.finishAndReleaseAll();
        }
    }
}
