package io.tapvsock.stack.udp;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.GuestUdpEndpoint;
import io.tapvsock.api.GuestUdpReceiver;
import io.tapvsock.api.Ipv4Address;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** One UDP endpoint inside the network; see {@link UdpEndpoints}. */
final class UdpEndpoint implements GuestUdpEndpoint {

    private final UdpEndpoints owner;
    final int address;
    final int port;
    final GuestUdpReceiver receiver;
    private final InetSocketAddress localAddress;
    private volatile boolean closed;

    UdpEndpoint(UdpEndpoints owner, int address, int port, GuestUdpReceiver receiver) {
        this.owner = owner;
        this.address = address;
        this.port = port;
        this.receiver = receiver;
        try {
            this.localAddress = new InetSocketAddress(InetAddress.getByAddress(new Ipv4Address(address).toBytes()), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** @param payload transferred: callee releases */
    @Override
    public boolean send(InetSocketAddress guest, ByteBuf payload) {
        if (closed || guest.isUnresolved() || !(guest.getAddress() instanceof Inet4Address)) {
            payload.release();
            return false;
        }
        return owner.send(this, Ipv4Address.fromBytes(guest.getAddress().getAddress()).bits(), guest.getPort(), payload);
    }

    /** Any thread: the table is the loop's, so the removal may happen a moment later. */
    @Override
    public void close() {
        closed = true;
        owner.close(this);
    }

    @Override
    public String toString() {
        return localAddress.getAddress().getHostAddress() + ":" + port;
    }
}
