package io.tapvsock.transport.qemu;

import io.netty.channel.Channel;
import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.LengthPrefix;
import io.tapvsock.transport.common.stream.StreamFrameDecoder;
import io.tapvsock.transport.common.stream.StreamListener;
import io.tapvsock.transport.common.stream.StreamPort;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.Iterator;

/**
 * One qemu transport listener (gvproxy's {@code -listen-qemu}): a {@link StreamListener} that takes one client
 * at a time, like gvproxy; a second client is closed at once and counted. Each client becomes a switch port with
 * QEMU's framing for as long as its connection lasts. Plain Java: the DS component only builds and closes it.
 * With offload allowed, a client that opens with tapvsock's hello gets vnet mode (see {@link QemuVnetPort}).
 */
public final class QemuListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(QemuListener.class.getName());

    private final VirtualNetwork network;
    private final int maxFrameSize;
    private final boolean offload;
    private final LinkCounters counters;
    private final StreamListener listener;

    /** A listener that allows vnet mode (offload), the configuration's default. */
    public QemuListener(VirtualNetwork network, ListenAddress address, int maxFrameSize, LinkCounters counters) {
        this(network, address, maxFrameSize, true, counters);
    }

    /** @param offload a client may switch its connection to vnet mode with the hello */
    public QemuListener(VirtualNetwork network, ListenAddress address, int maxFrameSize, boolean offload,
            LinkCounters counters) {
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        // One client at a time, like gvproxy.
        this.listener = new StreamListener("qemu", network, address, 1, new StreamListener.Clients() {
            @Override
            public void accepted(Channel client) {
                accept(client);
            }

            @Override
            public void refused(Channel client) {
                refuse(client);
            }
        });
        this.network = network;
        this.maxFrameSize = maxFrameSize;
        this.offload = offload;
        this.counters = counters;
    }

    /**
     * Binds the listening socket; waits for the bind, so call it off the network loop.
     *
     * @throws IOException when a unix socket path already exists or the bind fails; the message names the address
     */
    public void start() throws IOException {
        listener.start();
    }

    /** Network loop: the pipeline of a new connection; a plain port unless offload may switch it to vnet mode. */
    private void accept(Channel channel) {
        counters.increment(QemuTransportStatus.CLIENTS_ACCEPTED);
        String description = "qemu " + listener.address();
        StreamFrameDecoder decoder = new StreamFrameDecoder(LengthPrefix.QEMU, maxFrameSize);
        StreamPort port = offload
                ? new QemuVnetPort(network, description, decoder, maxFrameSize, counters,
                        macBytes(network.settings().gatewayMac()))
                : new StreamPort(network, description, LengthPrefix.QEMU, maxFrameSize, counters);
        channel.pipeline().addLast(decoder, port);
    }

    /** Network loop: a second client while one is connected; the listener closes it. */
    private void refuse(Channel channel) {
        counters.increment(QemuTransportStatus.CLIENTS_REFUSED);
        LOG.log(Level.WARNING, "{0}: refusing client {1}: a client is already connected (one at a time)",
                listener.address(), StreamPort.peer(channel));
    }

    /** The gateway's MAC as six octets: the source of our hello answers (the switch never sees them). */
    private static byte[] macBytes(MacAddress mac) {
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (mac.bits() >>> (40 - 8 * i));
        }
        return bytes;
    }

    /** The address actually bound (with the chosen port for tcp://host:0). */
    public SocketAddress localAddress() {
        return listener.localAddress();
    }

    public ListenAddress address() {
        return listener.address();
    }

    /** One line for the shell: the URL, and the client with its port, if any. */
    public String describe() {
        Iterator<Channel> clients = listener.clients().iterator();
        if (!clients.hasNext()) {
            return "qemu " + address() + "  no client";
        }
        Channel connected = clients.next();
        StreamPort port = connected.pipeline().get(StreamPort.class);
        int portId = port == null ? -1 : port.portId();
        return "qemu " + address() + "  client " + StreamPort.peer(connected)
                + (portId < 0 ? "" : "  port " + portId);
    }

    /** Closes the server socket first (no new client can slip in), then the client; removes the socket file. Idempotent. */
    @Override
    public void close() {
        listener.close();
    }
}
