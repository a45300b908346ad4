package io.tapvsock.service.tunnel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import java.io.OutputStream;
import io.netty.channel.ServerChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.tapvsock.api.GuestTcpConnector;
import io.tapvsock.api.NetworkSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The opener and the relay on real sockets and a real Netty epoll loop. The "guest" is a server on 127.0.0.1:
 * the connector here opens an ordinary TCP connection to 127.0.0.1 and the target's port, a Netty duplex channel
 * like the stack's GuestChannel (the itest TunnelTest runs the real stack with a kernel guest).
 */
@Timeout(60)
class TunnelOpenerTest {

    private static final int BYTES = 3 << 20;

    private final Queue<String> targets = new ConcurrentLinkedQueue<>();
    /** Threads of its own for the blocking guest and writer (the common pool may have only one). */
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private TunnelCounters counters;
    private Channel server;

    private ServerSocket guest;

    @BeforeEach
    void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = group.next();
        counters = new TunnelCounters();
        GuestTcpConnector localhost = (source, destination, handler) -> new Bootstrap().group(loop)
                .channel(EpollSocketChannel.class).handler(handler)
                .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), destination.getPort()));
        TunnelContext context = new TunnelContext(localhost, NetworkSettings::defaults, counters,
                new DefaultChannelGroup(loop));
        guest = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        server = serve(EpollServerSocketChannel.class, context)
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    private ServerBootstrap serve(Class<? extends ServerChannel> type, TunnelContext context) {
        return new ServerBootstrap().group(loop).channel(type)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel client) {
                        // Each connection takes the next target connect() queued: what the http bundle parses.
                        client.pipeline().addLast(new TunnelOpener(context, targets.poll(), Unpooled.copiedBuffer(
                                "early ", StandardCharsets.US_ASCII), "test"));
                    }
                });
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close().sync();
        guest.close();
        threads.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Socket connect(String target) throws IOException {
        targets.add(target);
        Socket client = new Socket(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress) server.localAddress()).getPort());
        client.setSoTimeout(30_000);
        return client;
    }

    @Test
    void okThenBytesExactBothWays_withHalfCloseEachWay() throws Exception {
        try (Socket client = connect("/tunnel?ip=192.168.127.2&port=" + guest.getLocalPort())) {
            bytesBothWays(client.getInputStream(), client.getOutputStream(), () -> {
                client.shutdownOutput();
                return null;
            });
        }
    }

    private interface Shutdown {
        Object run() throws IOException;
    }

    /**
     * The guest echoes as it reads and ends its side after the client's end; the client writes while it reads,
     * so both directions are busy at once and each ends on its own.
     */
    private void bytesBothWays(InputStream in, OutputStream out, Shutdown shutdownOutput) throws Exception {
        byte[] up = random(1, BYTES);
        CompletableFuture.runAsync(() -> {
            try (Socket accepted = guest.accept()) {
                accepted.getInputStream().transferTo(accepted.getOutputStream());
                accepted.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, threads);
        assertEquals("OK", new String(in.readNBytes(2), StandardCharsets.US_ASCII));
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int offset = 0; offset < BYTES; offset += 65536) {
                    out.write(up, offset, 65536);
                }
                shutdownOutput.run();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, threads);
        byte[] expected = new byte[6 + BYTES];
        System.arraycopy("early ".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 6);
        System.arraycopy(up, 0, expected, 6, BYTES);
        byte[] received = in.readAllBytes();
        writer.get(30, TimeUnit.SECONDS);
        assertEquals(expected.length, received.length, "the early bytes and the rest came back, then the end");
        assertArrayEquals(expected, received);
        assertEquals(1L, counters.opened.sum());
        assertEquals(0L, counters.failed.sum());
        assertEquals((long) BYTES + 6, counters.bytesToGuest.sum());
        assertEquals((long) BYTES + 6, counters.bytesToClient.sum());
    }

    @Test
    void aGuestThatSpeaksFirst_comesAfterOk() throws Exception {
        CompletableFuture.runAsync(() -> {
            try (Socket accepted = guest.accept()) {
                accepted.getOutputStream().write("SSH-2.0-banner\r\n".getBytes(StandardCharsets.US_ASCII));
                accepted.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, threads);
        try (Socket client = connect("/tunnel?ip=192.168.127.2&port=" + guest.getLocalPort())) {
            assertEquals("OKSSH-2.0-banner\r\n", new String(client.getInputStream().readNBytes(18),
                    StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aBadTarget_gets500WithTheReason_andAClose() throws Exception {
        try (Socket client = connect("/tunnel?ip=10.0.0.1&port=80")) {
            String response = readAll(client.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 500 "), response);
            assertTrue(response.endsWith("\r\n\r\nip 10.0.0.1 is outside the virtual network 192.168.127.0/24\n"),
                    response);
        }
        assertEquals(1L, counters.failed.sum());
        assertEquals(0L, counters.opened.sum());
    }

    @Test
    void aRefusedGuestPort_gets502WithTheReason() throws Exception {
        int closedPort = guest.getLocalPort();
        guest.close();
        try (Socket client = connect("/tunnel?ip=192.168.127.2&port=" + closedPort)) {
            String response = readAll(client.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), response);
            assertTrue(response.contains("cannot reach 192.168.127.2:" + closedPort + ": "), response);
        }
        assertEquals(1L, counters.refused.sum());
        assertEquals(1L, counters.failed.sum());
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.UTF_8);
    }

    private static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
