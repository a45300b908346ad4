package io.tapvsock.stack.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import io.tapvsock.api.GuestUdpReceiver;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.UdpDatagram;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.wire.Ipv4Header;
import io.tapvsock.stack.wire.UdpComposer;
import io.tapvsock.stack.wire.UdpHeader;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The UDP endpoints services open inside the network (GuestUdpConnector, for UDP port forwarding), by address and
 * port: a guest's datagram to one goes to its receiver instead of the NAT. Network loop only.
 */
public final class UdpEndpoints {

    private static final System.Logger LOG = System.getLogger(UdpEndpoints.class.getName());
    private static final int EPHEMERAL_FIRST = 32768;
    private static final int EPHEMERAL_COUNT = 61000 - EPHEMERAL_FIRST;
    private static final int IP_UDP_HEADERS = Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    private final StackContext context;
    private final LongObjectMap<UdpEndpoint> endpoints = new LongObjectHashMap<>();
    private final UdpComposer composer = new UdpComposer();
    private long datagramsReceived;
    private long datagramsSent;

    public UdpEndpoints(StackContext context) {
        this.context = context;
    }

    /**
     * @param port 0 picks a free ephemeral port
     * @throws BindException when that address and port are taken, or no port is free
     */
    public UdpEndpoint open(int address, int port, GuestUdpReceiver receiver) throws BindException {
        int chosen = port != 0 ? port : freePort(address);
        if (chosen < 0 || endpoints.containsKey(key(address, chosen))) {
            throw new BindException("UDP endpoint " + new Ipv4Address(address) + ":" + port + " is in use");
        }
        UdpEndpoint endpoint = new UdpEndpoint(this, address, chosen, receiver);
        endpoints.put(key(address, chosen), endpoint);
        return endpoint;
    }

    /**
     * A guest's datagram, if an endpoint has its destination.
     *
     * @param payload borrowed: not retained after return
     * @return whether an endpoint took it
     */
    public boolean receive(long sourceMac, int source, int sourcePort, int destination, int destinationPort,
            ByteBuf payload) {
        UdpEndpoint endpoint = endpoints.get(key(destination, destinationPort));
        if (endpoint == null) {
            return false;
        }
        datagramsReceived++;
        try {
            endpoint.receiver.receive(new UdpDatagram(new MacAddress(sourceMac), new Ipv4Address(source), sourcePort,
                    new Ipv4Address(destination), destinationPort, payload));
        } catch (RuntimeException e) {
            context.drop("udp-endpoint-receiver-failed");
            LOG.log(Level.WARNING, "UDP endpoint " + endpoint + ": its receiver failed", e);
        }
        return true;
    }

    /** @param payload transferred: callee releases */
    boolean send(UdpEndpoint endpoint, int guest, int guestPort, ByteBuf payload) {
        if (endpoints.get(key(endpoint.address, endpoint.port)) != endpoint
                || !context.settings().subnet().contains(new Ipv4Address(guest))) {
            payload.release();
            return false;
        }
        if (IP_UDP_HEADERS + payload.readableBytes() > context.settings().mtu()) {
            payload.release();
            context.drop("udp-endpoint-exceeds-mtu"); // no fragmentation toward the guest
            return false;
        }
        datagramsSent++;
        context.sendIpv4(endpoint.address, guest, Ipv4Header.PROTOCOL_UDP,
                composer.compose(context.alloc(), endpoint.address, endpoint.port, guest, guestPort, payload));
        context.flush();
        return true;
    }

    /** Any thread. */
    void close(UdpEndpoint endpoint) {
        EventLoop loop = context.loop();
        if (loop.inEventLoop()) {
            endpoints.remove(key(endpoint.address, endpoint.port), endpoint);
            return;
        }
        try {
            loop.execute(() -> close(endpoint));
        } catch (RejectedExecutionException e) {
            // the network is gone, and this table with it
        }
    }

    /** Closes every endpoint (the network stops). */
    public void close() {
        endpoints.clear();
    }

    /** Counters for /stats under "UDP". */
    public Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Endpoints", endpoints.size());
        out.put("EndpointDatagramsReceived", datagramsReceived);
        out.put("EndpointDatagramsSent", datagramsSent);
        return out;
    }

    private int freePort(int address) {
        int start = ThreadLocalRandom.current().nextInt(EPHEMERAL_COUNT);
        for (int i = 0; i < EPHEMERAL_COUNT; i++) {
            int port = EPHEMERAL_FIRST + (start + i) % EPHEMERAL_COUNT;
            if (!endpoints.containsKey(key(address, port))) {
                return port;
            }
        }
        return -1;
    }

    private static long key(int address, int port) {
        return (address & 0xFFFF_FFFFL) << 16 | port;
    }
}
