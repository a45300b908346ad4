package io.tapvsock.stack.core;

import io.tapvsock.stack.udp.UdpNat;
import java.util.Map;

/**
 * Resource limits of the stack that are not gvproxy settings; read from the same configuration as
 * {@link io.tapvsock.api.NetworkSettings}. Construction validates, and every error names its field.
 *
 * @param udpFlowIdleSeconds a UDP flow without traffic either way for this long is closed
 * @param udpMaxFlows at most this many UDP flows; a new one evicts the least recently used
 */
public record StackLimits(long udpFlowIdleSeconds, int udpMaxFlows) {

    public static final String UDP_FLOW_IDLE_SECONDS = "udpFlowIdleSeconds";
    public static final String UDP_MAX_FLOWS = "udpMaxFlows";

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
        return new StackLimits(idle, (int) flows);
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
