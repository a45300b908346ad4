package io.tapvsock.transport.vsock.impl;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.StreamListener;
import io.tapvsock.transport.common.stream.StreamPort;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.stream.Collectors;

/**
 * One vpnkit listener (gvproxy's {@code -listen-vpnkit}): a {@link StreamListener} that takes any number of
 * clients at once. Each client runs the {@link VpnkitHandshake}, then becomes a switch port with hyperkit
 * framing for as long as its connection lasts. Plain Java: the DS component only builds and closes it.
 */
public final class VpnkitListener implements AutoCloseable {

    /** The stream listener's socket options, which the other hyperkit links (vsock, stdio, /connect) share. */
    static final WriteBufferWaterMark WATER_MARK = StreamListener.WATER_MARK;
    static final AdaptiveRecvByteBufAllocator READ_SIZES = StreamListener.READ_SIZES;

    private final VirtualNetwork network;
    private final int mtu;
    private final VpnkitHandshake handshake;
    private final LinkCounters counters;
    private final StreamListener listener;

    /** @param mtu announced in each handshake; 0 means the network's MTU at the time the client connects */
    public VpnkitListener(VirtualNetwork network, ListenAddress address, int mtu, VpnkitHandshake handshake,
            LinkCounters counters) {
        if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
            throw new IllegalArgumentException("mtu: " + mtu + " is outside 68..65535 (or 0 for the network's)");
        }
        this.network = network;
        this.mtu = mtu;
        this.handshake = handshake;
        this.counters = counters;
        this.listener = new StreamListener("vpnkit", network, address, Integer.MAX_VALUE, this::accept);
    }

    /**
     * Binds the listening socket; waits for the bind, so call it off the network loop.
     *
     * @throws IOException when a unix socket path already exists or the bind fails; the message names the address
     */
    public void start() throws IOException {
        listener.start();
    }

    /** Network loop: a new client starts with the handshake. */
    private void accept(Channel channel) {
        counters.increment(VsockTransportStatus.VPNKIT_CLIENTS);
        int linkMtu = mtu != 0 ? mtu : network.settings().mtu();
        channel.pipeline().addLast(new VpnkitHandshakeHandler(network, handshake, linkMtu,
                "vpnkit " + listener.address(), counters));
    }

    /** The address actually bound (with the chosen port for tcp://host:0). */
    public SocketAddress localAddress() {
        return listener.localAddress();
    }

    public ListenAddress address() {
        return listener.address();
    }

    /** Clients connected now, in the handshake or attached. Any thread. */
    public int clientCount() {
        return listener.clients().size();
    }

    /** One line for the shell: the URL and each client with its port, if it has one yet. */
    public String describe() {
        if (listener.clients().isEmpty()) {
            return "vpnkit " + address() + "  no clients";
        }
        return "vpnkit " + address() + "  " + listener.clients().stream().map(VpnkitListener::describeClient)
                .sorted().collect(Collectors.joining(", "));
    }

    private static String describeClient(Channel channel) {
        StreamPort port = channel.pipeline().get(StreamPort.class);
        int id = port == null ? -1 : port.portId();
        return "client " + StreamPort.peer(channel) + (id < 0 ? " (handshake)" : " port " + id);
    }

    /** Closes the server socket first (no new client can slip in), then every client; removes the socket file. */
    @Override
    public void close() {
        listener.close();
    }
}
