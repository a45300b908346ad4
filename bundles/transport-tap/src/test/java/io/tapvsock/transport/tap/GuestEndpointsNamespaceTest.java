package io.tapvsock.transport.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.tapvsock.api.GuestUdpEndpoint;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.Stack;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.core.StackNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connections and endpoints served inside the daemon against the real kernel: a namespace with the TAP attached
 * to the real stack. The kernel's TCP talks to a gateway TCP service and accepts connections the stack opens into
 * it (GuestChannel: port forwarding's path), byte-exact both ways with half-close; and it exchanges datagrams with
 * a UDP endpoint inside the network (GuestUdpConnector).
 */
class GuestEndpointsNamespaceTest {

    private static final int BULK_BYTES = 4 << 20;

    private TestNamespace namespace;
    private MultiThreadIoEventLoopGroup group;
    private Stack stack;
    private TapLink link;
    private Process guestServer;

    @BeforeEach
    void setUp() throws Exception {
        namespace = TestNamespace.create();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        var loop = group.next();
        stack = loop.submit(() -> new Stack(loop, PooledByteBufAllocator.DEFAULT, HostChannels.detect(),
                System::nanoTime, NetworkSettings.defaults(), StackLimits.defaults())).get(10, TimeUnit.SECONDS);
        LinkCounters counters = TapTransportStatus.newCounters();
        link = TapLink.open(new StackNetwork(stack), new TapTransportConfig(Optional.of(namespace.path()), "tap0",
                MacAddress.DEFAULT_DEVICE, 0, true), ByteBufAllocator.DEFAULT, counters);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (guestServer != null) {
                guestServer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            link.close();
            group.submit(stack::close).get(10, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            namespace.close();
        }
    }

    @Test
    void gatewayTcpService_kernelClient_bulkUpload_halfClose_thenBulkAnswer() throws Exception {
        // The service reads everything up to the guest's FIN, then answers with the digest of what it got and
        // BULK_BYTES of pattern, and closes.
        CompletableFuture<String> served = new CompletableFuture<>();
        stack.addTcpService(7000, channel -> {
            channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                final MessageDigest received = sha256();

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf data = (ByteBuf) msg;
                    received.update(data.nioBuffer());
                    data.release();
                }

                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt instanceof ChannelInputShutdownEvent) {
                        String digest = HexFormat.of().formatHex(received.digest());
                        served.complete(digest + " " + ctx.channel().remoteAddress());
                        writePattern(ctx.channel(), BULK_BYTES).addListener(ChannelFutureListener.CLOSE);
                    }
                }
            });
        });

        String script = """
                import hashlib, os, socket
                data = os.urandom(%d)
                s = socket.create_connection(('192.168.127.1', 7000), timeout=30)
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                got = hashlib.sha256()
                while True:
                    chunk = s.recv(1 << 16)
                    if not chunk:
                        break
                    got.update(chunk)
                print(hashlib.sha256(data).hexdigest(), got.hexdigest())
                """.formatted(BULK_BYTES);
        TestNamespace.Result client = namespace.exec("/usr/bin/python3", "-c", script);

        assertEquals(0, client.exitCode(), client.output());
        String[] guest = client.output().trim().split(" ");
        String[] service = served.get(10, TimeUnit.SECONDS).split(" ");
        assertEquals(guest[0], service[0], "what the service received");
        assertEquals(patternDigest(BULK_BYTES), guest[1], "what the guest received");
        assertTrue(service[1].startsWith("/192.168.127.2:"), "the guest's address: " + service[1]);
    }

    @Test
    void gatewayPortWithoutService_isRefused() throws Exception {
        TestNamespace.Result client = namespace.exec("/usr/bin/python3", "-c", """
                import socket
                try:
                    socket.create_connection(('192.168.127.1', 7001), timeout=10)
                    print('connected')
                except ConnectionRefusedError:
                    print('refused')
                """);

        assertEquals("refused", client.output().trim());
    }

    @Test
    void connectIntoTheGuest_fromAnyAddress_bulkBothWays_halfClose() throws Exception {
        // The guest's server prints its client's address, sends BULK_BYTES, half-closes, reads to EOF and prints
        // the digest of what it read.
        startGuestServer("""
                import hashlib, os, socket, sys
                server = socket.socket()
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                server.bind(('192.168.127.2', 8080))
                server.listen(1)
                print('listening', flush=True)
                conn, peer = server.accept()
                print(peer[0], peer[1], flush=True)
                data = bytes((i * 31 + 7) & 0xFF for i in range(1 << 16)) * (%d >> 16)
                conn.sendall(data)
                conn.shutdown(socket.SHUT_WR)
                got = hashlib.sha256()
                while True:
                    chunk = conn.recv(1 << 16)
                    if not chunk:
                        break
                    got.update(chunk)
                print(got.hexdigest(), flush=True)
                """.formatted(BULK_BYTES));
        BufferedReader guestOut = new BufferedReader(new InputStreamReader(guestServer.getInputStream(),
                StandardCharsets.UTF_8));
        assertEquals("listening", guestOut.readLine());

        // Ours: read everything, then on the guest's FIN send BULK_BYTES of pattern and shut our output down.
        CompletableFuture<String> downloaded = new CompletableFuture<>();
        ChannelFuture connect = stack.connectTcp(new InetSocketAddress("10.1.2.3", 40000),
                new InetSocketAddress("192.168.127.2", 8080), new ChannelInboundHandlerAdapter() {
                    final MessageDigest received = sha256();

                    @Override
                    public void channelRegistered(ChannelHandlerContext ctx) {
                        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                        ctx.fireChannelRegistered();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf data = (ByteBuf) msg;
                        received.update(data.nioBuffer());
                        data.release();
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof ChannelInputShutdownEvent) {
                            downloaded.complete(HexFormat.of().formatHex(received.digest()));
                            Channel channel = ctx.channel();
                            writePattern(channel, BULK_BYTES).addListener(
                                    written -> ((DuplexChannel) channel).shutdownOutput());
                        }
                    }
                });
        connect.get(10, TimeUnit.SECONDS);

        assertEquals("10.1.2.3 40000", guestOut.readLine(), "the guest sees the address we gave");
        assertEquals(patternDigest(BULK_BYTES), downloaded.get(30, TimeUnit.SECONDS), "what we received");
        assertEquals(patternDigest(BULK_BYTES), guestOut.readLine(), "what the guest received");
        assertTrue(guestServer.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, guestServer.exitValue());
        // Both sides finished: the channel closes once the connection is over (TIME-WAIT on our side).
        connect.channel().close().get(10, TimeUnit.SECONDS);
    }

    @Test
    void connectIntoTheGuest_closedPort_failsWithConnectException_atOnce() throws Exception {
        // The kernel answers a SYN to a closed port with a RST; nothing needs to run in the namespace.
        ChannelFuture connect = stack.connectTcp(new InetSocketAddress("192.168.127.254", 0),
                new InetSocketAddress("192.168.127.2", 8081), new ChannelInboundHandlerAdapter());

        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> connect.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, e.getCause());
        assertTrue(connect.channel().closeFuture().await(10, TimeUnit.SECONDS));
    }

    @Test
    void udpEndpoint_fromAnyAddress_toAGuestNotHeardFromYet_guestAnswers_andItsReplyReachesTheReceiver()
            throws Exception {
        // The guest has sent nothing: the stack holds the first datagram while it asks for the guest's MAC.
        startGuestServer("""
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(('192.168.127.2', 5353))
                print('listening', flush=True)
                data, peer = s.recvfrom(2048)
                print(peer[0], peer[1], flush=True)
                s.sendto(b'echo:' + data, peer)
                """);
        BufferedReader guestOut = new BufferedReader(new InputStreamReader(guestServer.getInputStream(),
                StandardCharsets.UTF_8));
        assertEquals("listening", readLine(guestOut));
        CompletableFuture<String> reply = new CompletableFuture<>();
        GuestUdpEndpoint endpoint = group.submit(() -> stack.openUdpEndpoint(0x0A010203, 0,
                datagram -> reply.complete(datagram.source() + ":" + datagram.sourcePort() + " "
                        + datagram.payload().toString(StandardCharsets.US_ASCII)))).get(10, TimeUnit.SECONDS);
        int port = endpoint.localAddress().getPort();

        boolean sent = group.submit(() -> endpoint.send(new InetSocketAddress("192.168.127.2", 5353),
                Unpooled.directBuffer().writeBytes("hello".getBytes(StandardCharsets.US_ASCII))))
                .get(10, TimeUnit.SECONDS);

        assertTrue(sent);
        assertEquals("10.1.2.3 " + port, readLine(guestOut), "the guest sees the endpoint's address");
        assertEquals("192.168.127.2:5353 echo:hello", reply.get(10, TimeUnit.SECONDS));
        endpoint.close();
        boolean afterClose = group.submit(() -> endpoint.send(new InetSocketAddress("192.168.127.2", 5353),
                Unpooled.directBuffer().writeByte(1))).get(10, TimeUnit.SECONDS);
        assertEquals(false, afterClose);
    }

    /** A line from the guest's server, or a failure after 10 s rather than a hung test. */
    private static String readLine(BufferedReader in) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return in.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    private void startGuestServer(String script) throws Exception {
        guestServer = new ProcessBuilder("ip", "netns", "exec", namespace.path().getFileName().toString(),
                "/usr/bin/python3", "-c", script).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Writes {@code length} bytes of the pattern the guest scripts use, in 64 KiB buffers; the last write's future. */
    private static ChannelFuture writePattern(Channel channel, int length) {
        byte[] chunk = pattern();
        ChannelFuture last = null;
        for (int left = length; left > 0; left -= chunk.length) {
            last = channel.write(channel.alloc().directBuffer(chunk.length).writeBytes(chunk, 0,
                    Math.min(left, chunk.length)));
        }
        channel.flush();
        return last;
    }

    private static byte[] pattern() {
        byte[] chunk = new byte[1 << 16];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31 + 7);
        }
        return chunk;
    }

    private static String patternDigest(int length) {
        MessageDigest digest = sha256();
        byte[] chunk = pattern();
        for (int left = length; left > 0; left -= chunk.length) {
            digest.update(chunk, 0, Math.min(left, chunk.length));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
