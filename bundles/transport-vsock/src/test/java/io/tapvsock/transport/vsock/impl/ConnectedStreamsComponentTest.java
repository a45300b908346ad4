package io.tapvsock.transport.vsock.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** POST /connect streams handed over as Netty channels, on the real stack. */
@Timeout(60)
class ConnectedStreamsComponentTest {

    private RealStack stack;
    private final VsockTransportStatus status = new VsockTransportStatus();
    private ConnectedStreamsComponent streams;

    @BeforeEach
    void setUp() throws Exception {
        stack = new RealStack();
        streams = new ConnectedStreamsComponent(stack.network, status);
    }

    @AfterEach
    void tearDown() throws Exception {
        stack.close();
    }

    /** The guest's end of a socket pair as blocking streams. */
    private static HyperkitClient guestOn(int fd) {
        Socket socket = new Socket(fd);
        ByteBuffer readBuffer = ByteBuffer.allocateDirect(1 << 16);
        InputStream in = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                int n = socket.read(readBuffer, 0, Math.min(length, readBuffer.capacity()));
                if (n <= 0) {
                    return -1;
                }
                readBuffer.get(0, bytes, offset, n);
                return n;
            }
        };
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.allocateDirect(length).put(bytes, offset, length).flip();
                while (buffer.hasRemaining()) {
                    buffer.position(buffer.position() + socket.write(buffer, buffer.position(), buffer.limit()));
                }
            }
        };
        return new HyperkitClient(in, out, socket::close);
    }

    private static byte[] framed(byte[] frame) {
        byte[] framed = new byte[frame.length + 2];
        framed[0] = (byte) frame.length;
        framed[1] = (byte) (frame.length >>> 8);
        System.arraycopy(frame, 0, framed, 2, frame.length);
        return framed;
    }

    @Test
    void an_unregistered_channel_goes_to_the_network_loop_and_bytes_already_read_come_first() throws Exception {
        UnixSocketPair pair = UnixSocketPair.open();
        Channel channel = new EpollDomainSocketChannel(pair.nonBlocking());
        // The request head was followed by a whole framed ARP request and the start of a ping.
        byte[] arp = framed(GuestFrames.arpRequestForGateway(RealStack.GUEST_MAC, 2));
        byte[] ping = framed(GuestFrames.icmpEchoToGateway(RealStack.GUEST_MAC, RealStack.GATEWAY_MAC, 2, 1));
        ByteBuf alreadyRead = Unpooled.buffer().writeBytes(arp).writeBytes(ping, 0, 10);
        streams.attach(channel, alreadyRead, "connect test");
        try (HyperkitClient guest = guestOn(pair.blocking())) {
            assertEquals(2, guest.receive(RealStack.GUEST_MAC, 0x0806)[21], "ARP reply");
            guest.write(java.util.Arrays.copyOfRange(ping, 10, ping.length));
            assertEquals(0, guest.receive(RealStack.GUEST_MAC, 0x0800)[34], "echo reply");
        }
        channel.closeFuture().await(10, TimeUnit.SECONDS);
        assertEquals(1L, status.counters().get(VsockTransportStatus.CONNECTED_STREAMS));
    }

    @Test
    void a_channel_of_another_loop_is_refused_and_closed() throws Exception {
        MultiThreadIoEventLoopGroup other = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            UnixSocketPair pair = UnixSocketPair.open();
            Channel channel = new EpollDomainSocketChannel(pair.nonBlocking());
            other.register(channel).sync();
            ByteBuf alreadyRead = Unpooled.buffer().writeByte(1);
            assertThrows(IllegalArgumentException.class, () -> streams.attach(channel, alreadyRead, "connect test"));
            assertEquals(0, alreadyRead.refCnt(), "released");
            channel.closeFuture().await(10, TimeUnit.SECONDS);
            assertFalse(channel.isOpen());
            new Socket(pair.blocking()).close();
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
