package io.tapvsock.stack.core;

import io.tapvsock.stack.tcp.TcpSettings;
import io.tapvsock.stack.udp.UdpNat;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Resource limits of the stack that are not gvproxy settings; read from the same configuration as
 * {@link io.tapvsock.api.NetworkSettings}. Construction validates, and every error names its field.
 *
 * @param udpFlowIdleSeconds a UDP flow without traffic either way for this long is closed
 * @param udpMaxFlows at most this many UDP flows; a new one evicts the least recently used
 * @param tcp TCP limits and timers; the keys {@value #TCP_MAX_CONNECTIONS}, {@value #TCP_MAX_PENDING_CONNECTS}
 *     (per destination), {@value #TCP_CONNECT_TIMEOUT_SECONDS}, {@value #TCP_BUFFER_BYTES} (each direction, per
 *     connection) and {@value #TCP_KEEPALIVE_SECONDS} (0: off) set its configurable part
 */
public record StackLimits(long udpFlowIdleSeconds, int udpMaxFlows, TcpSettings tcp) {

    public static final String UDP_FLOW_IDLE_SECONDS = "udpFlowIdleSeconds";
    public static final String UDP_MAX_FLOWS = "udpMaxFlows";
    public static final String TCP_MAX_CONNECTIONS = "tcpMaxConnections";
    public static final String TCP_MAX_PENDING_CONNECTS = "tcpMaxPendingConnects";
    public static final String TCP_CONNECT_TIMEOUT_SECONDS = "tcpConnectTimeoutSeconds";
    public static final String TCP_BUFFER_BYTES = "tcpBufferBytes";
    public static final String TCP_KEEPALIVE_SECONDS = "tcpKeepaliveSeconds";

    /** UDP limits with the default TCP settings. */
    public StackLimits(long udpFlowIdleSeconds, int udpMaxFlows) {
        this(udpFlowIdleSeconds, udpMaxFlows, TcpSettings.defaults());
    }

    public StackLimits {
        if (udpFlowIdleSeconds < 1 || udpFlowIdleSeconds > 86_400) {
            throw new IllegalArgumentException(UDP_FLOW_IDLE_SECONDS + ": " + udpFlowIdleSeconds + " is outside 1..86400");
        }
        if (udpMaxFlows < 1 || udpMaxFlows > 1_000_000) {
            throw new IllegalArgumentException(UDP_MAX_FLOWS + ": " + udpMaxFlows + " is outside 1..1000000");
        }
    }

    public static StackLimits defaults() {
        return new StackLimits(UdpNat.DEFAULT_IDLE_SECONDS, UdpNat.DEFAULT_MAX_FLOWS);
    }

    /** Reads the limit keys of a configuration dictionary; absent keys keep their defaults. */
    public static StackLimits fromProperties(Map<String, ?> properties) {
        long idle = number(properties, UDP_FLOW_IDLE_SECONDS, UdpNat.DEFAULT_IDLE_SECONDS);
        long flows = number(properties, UDP_MAX_FLOWS, UdpNat.DEFAULT_MAX_FLOWS);
        if (flows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(UDP_MAX_FLOWS + ": " + flows + " is outside 1..1000000");
        }
        return new StackLimits(idle, (int) flows, tcpFromProperties(properties));
    }

    private static TcpSettings tcpFromProperties(Map<String, ?> properties) {
        TcpSettings defaults = TcpSettings.defaults();
        long connections = ranged(properties, TCP_MAX_CONNECTIONS, defaults.maxConnections(), 1, 1_000_000);
        long pending = ranged(properties, TCP_MAX_PENDING_CONNECTS, defaults.maxPendingConnects(), 1, 65_536);
        long timeout = ranged(properties, TCP_CONNECT_TIMEOUT_SECONDS, defaults.connectTimeoutMillis() / 1000, 1,
                600);
        long buffer = ranged(properties, TCP_BUFFER_BYTES, defaults.receiveBuffer(), 16_384, 1 << 30);
        long keepalive = ranged(properties, TCP_KEEPALIVE_SECONDS, 0, 0, 86_400);
        TcpSettings tcp = defaults.withLimits((int) connections, (int) pending, (int) timeout * 1000, (int) buffer);
        return keepalive == 0 ? tcp : tcp.withKeepalive(TimeUnit.SECONDS.toNanos(keepalive),
                TimeUnit.SECONDS.toNanos(75), 9);
    }

    private static long ranged(Map<String, ?> properties, String key, long fallback, long min, long max) {
        long value = number(properties, key, fallback);
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + ": " + value + " is outside " + min + ".." + max);
        }
        return value;
    }

    private static long number(Map<String, ?> properties, String key, long fallback) {
        Object value = properties.get(key);
        if (value == null || String.valueOf(value).isBlank()) {
            return fallback;
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        try {
            return Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": \"" + value + "\" is not a whole number");
        }
    }
}
