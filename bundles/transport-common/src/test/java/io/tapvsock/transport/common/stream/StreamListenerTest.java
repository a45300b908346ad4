package io.tapvsock.transport.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.tapvsock.api.ListenAddress;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real listener on an epoll loop, with blocking JDK clients: the client limit, the close order, the socket file. */
@Timeout(30)
class StreamListenerTest {

    @TempDir
    Path dir;

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final LinkCounters counters = new LinkCounters(List.of(), List.of(StreamPort.CLOSES));
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private final BlockingQueue<Channel> refused = new LinkedBlockingQueue<>();
    private StreamListener listener;

    private final RecordingNetwork network = new RecordingNetwork(loop);

    @AfterEach
    void tearDown() {
        if (listener != null) {
            listener.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A listener whose clients get a framed port (maxClients of them at once). */
    private StreamListener listen(String url, int maxClients) throws IOException {
        listener = new StreamListener("test", network, ListenAddress.parse(url), maxClients,
                new StreamListener.Clients() {
                    @Override
                    public void accepted(Channel client) {
                        accepted.add(client);
                        client.pipeline().addLast(new StreamFrameDecoder(LengthPrefix.QEMU, 1514),
                                new StreamPort(network, "port" + accepted.size(), LengthPrefix.QEMU, 1514,
                                        counters));
                    }

                    @Override
                    public void refused(Channel client) {
                        refused.add(client);
                    }
                });
        listener.start();
        return listener;
    }

    /** Blocks until the server closes the stream; true when it did (read returns end of stream). */
    private static boolean closedByServer(InputStream in) throws IOException {
        return in.read() == -1;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> closes() throws Exception {
        return loop.submit(() -> (Map<String, Object>) counters.snapshot().get(StreamPort.CLOSES)).get();
    }

    @Test
    void one_client_at_a_time_refuses_the_second_until_the_first_leaves() throws Exception {
        StreamListener listener = listen("tcp://127.0.0.1:0", 1);
        InetSocketAddress target = (InetSocketAddress) listener.localAddress();
        try (Socket first = new Socket(target.getAddress(), target.getPort())) {
            assertEquals("+port1", network.events.poll(10, TimeUnit.SECONDS));
            assertEquals(1, listener.clients().size());
            try (Socket second = new Socket(target.getAddress(), target.getPort())) {
                assertTrue(closedByServer(second.getInputStream()));
            }
            assertTrue(refused.poll(10, TimeUnit.SECONDS) != null);
            assertEquals(1, accepted.size());
        }
        assertEquals("-port1", network.events.poll(10, TimeUnit.SECONDS));
        try (Socket third = new Socket(target.getAddress(), target.getPort())) {
            assertEquals("+port2", network.events.poll(10, TimeUnit.SECONDS));
        }
        assertEquals("-port2", network.events.poll(10, TimeUnit.SECONDS));
        assertEquals(Map.of("peer-closed", 2L), closes());
    }

    @Test
    void close_ends_every_client_with_its_reason_and_removes_the_socket_file() throws Exception {
        Path path = dir.resolve("s.sock");
        StreamListener listener = listen("unix://" + path, 5);
        assertTrue(Files.exists(path));
        try (SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(path));
                SocketChannel b = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            Set<String> attached = Set.of(network.events.poll(10, TimeUnit.SECONDS),
                    network.events.poll(10, TimeUnit.SECONDS));
            assertEquals(Set.of("+port1", "+port2"), attached);
            assertEquals(2, listener.clients().size());
            listener.close();
            assertTrue(closedByServer(Channels.newInputStream(a)));
            assertTrue(closedByServer(Channels.newInputStream(b)));
            // Each port detaches after its close reason is counted.
            Set<String> detached = Set.of(network.events.poll(10, TimeUnit.SECONDS),
                    network.events.poll(10, TimeUnit.SECONDS));
            assertEquals(Set.of("-port1", "-port2"), detached);
        }
        assertFalse(Files.exists(path));
        assertNull(listener.localAddress());
        assertEquals(Map.of(StreamListener.LISTENER_CLOSED, 2L), closes());
        assertTrue(listener.clients().isEmpty());
        assertTrue(refused.isEmpty());
        listener.close();
    }

    @Test
    void an_existing_unix_path_is_refused_and_left_alone() throws Exception {
        Path path = dir.resolve("taken.sock");
        Files.writeString(path, "someone else's");
        IOException error = assertThrows(IOException.class, () -> listen("unix://" + path, 1));
        assertTrue(error.getMessage().contains("already exists"), error.getMessage());
        assertEquals("someone else's", Files.readString(path));
        listener = null;
    }

    @Test
    void a_limit_below_one_is_refused() {
        assertThrows(IllegalArgumentException.class,
                () -> new StreamListener("test", network, ListenAddress.parse("tcp://127.0.0.1:0"), 0, c -> { }));
    }
}
