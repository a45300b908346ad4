package io.tapvsock.stack.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.tapvsock.api.GatewayTcpService;
import io.tapvsock.api.NetworkSettings;
import java.net.InetAddress;

/**
 * What the protocol layers (udp, tcp) need from the stack around them. Everything here is network-loop only.
 * Tests implement it directly with a manual clock and a list of emitted packets.
 */
public interface StackContext {

    /** The network loop: host channels of NAT flows are registered on it. */
    EventLoop loop();

    /** Pooled direct buffers. */
    ByteBufAllocator alloc();

    /** Monotonic time in nanoseconds. Protocol code reads time only here, never System.nanoTime(). */
    long nanoTime();

    /** The settings in force now (they can change while the daemon runs). */
    NetworkSettings settings();

    /** Socket and datagram channel classes matching {@link #loop()} (epoll on Linux). */
    HostChannels hostChannels();

    /**
     * Sends an IPv4 packet to the guest that owns {@code destination} (the stack finds its MAC and port); the
     * IPv4 and Ethernet headers are added here. Nothing reaches the wire before {@link #flush()} or the end of
     * the guest's burst.
     *
     * @param l4 transferred: callee releases. The whole transport header and payload with its checksum set
     *     (often a composite of a small header buffer and a payload slice).
     */
    void sendIpv4(int source, int destination, int protocol, ByteBuf l4);

    /**
     * True when the link of the guest that owns {@code destination} takes TCP super-segments with a partial
     * checksum ({@link #sendTcpSegmented}): TCP segmentation offload.
     */
    default boolean segmentsTcpToward(int destination) {
        return false;
    }

    /**
     * Sends a TCP segment for the guest's link to cut into segments of {@code segmentSize} payload bytes; its TCP
     * checksum field holds the pseudo-header sum only. Only after {@link #segmentsTcpToward} said yes.
     *
     * @param l4 transferred: callee releases. TCP header and payload, up to 64 KiB with the IPv4 header.
     */
    default void sendTcpSegmented(int source, int destination, ByteBuf l4, int segmentSize) {
        l4.release();
        throw new UnsupportedOperationException("no segmentation offload here");
    }

    /** Flushes every guest link written since the last flush (call at the end of a host-side read burst). */
    void flush();

    /**
     * Where a guest packet for {@code destination} goes on the host: the NAT map applied (host IP to
     * 127.0.0.1), or null when the destination is refused (link-local without ec2 metadata access, broadcast,
     * multicast, the gateway itself).
     */
    InetAddress hostAddressFor(int destination);

    /** The gateway TCP service for a guest's SYN to {@code destination}:{@code port}, or null (then it is NATed). */
    default GatewayTcpService gatewayTcpService(int destination, int port) {
        return null;
    }

    /** Counts one dropped packet under a short reason ("tcp-bad-checksum"); /stats shows them by reason. */
    void drop(String reason);
}
