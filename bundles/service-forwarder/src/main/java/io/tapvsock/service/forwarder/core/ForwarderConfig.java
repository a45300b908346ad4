package io.tapvsock.service.forwarder.core;

import java.util.List;
import java.util.Map;

/**
 * The forwarder's configuration (PID io.tapvsock.service.forwarder, with the launcher's flags PID merged over it).
 *
 * @param forwards           forwards to keep open ({@link ForwardsJson#readConfigured})
 * @param sourceFromGateway  guests see forwarded connections come from the gateway IP, as with gvproxy, instead of
 *                           the client's address
 * @param sshPort            gvproxy's -ssh-port: forward 127.0.0.1:N to the device IP's port 22; -1 disables
 * @param udpFlowIdleSeconds a udp forward's flow (one host client) without a datagram either way for this long
 *                           ends, as the stack's UDP flows do
 * @param udpMaxFlows        flows per udp forward; a new client beyond that evicts the least recently used one
 */
public record ForwarderConfig(List<Forward> forwards, boolean sourceFromGateway, int sshPort,
        long udpFlowIdleSeconds, int udpMaxFlows) {

    public static final String FORWARDS = "forwards";
    public static final String SOURCE_FROM_GATEWAY = "sourceFromGateway";
    public static final String SSH_PORT = "sshPort";
    public static final String UDP_FLOW_IDLE_SECONDS = "udpFlowIdleSeconds";
    public static final String UDP_MAX_FLOWS = "udpMaxFlows";
    /** The stack's UDP flow idle default (gvproxy's 90 s). */
    public static final long DEFAULT_UDP_FLOW_IDLE_SECONDS = 90;
    public static final int DEFAULT_UDP_MAX_FLOWS = 1024;

    public ForwarderConfig {
        forwards = List.copyOf(forwards);
        if (sshPort != -1 && (sshPort < 1 || sshPort > 65535)) {
            throw new IllegalArgumentException(SSH_PORT + ": " + sshPort + " is not -1 (off) or 1..65535");
        }
        if (udpFlowIdleSeconds < 1 || udpFlowIdleSeconds > 86_400) {
            throw new IllegalArgumentException(UDP_FLOW_IDLE_SECONDS + ": " + udpFlowIdleSeconds
                    + " is outside 1..86400");
        }
        if (udpMaxFlows < 1 || udpMaxFlows > 65_536) {
            throw new IllegalArgumentException(UDP_MAX_FLOWS + ": " + udpMaxFlows + " is outside 1..65536");
        }
    }

    public static ForwarderConfig defaults() {
        return new ForwarderConfig(List.of(), false, -1, DEFAULT_UDP_FLOW_IDLE_SECONDS, DEFAULT_UDP_MAX_FLOWS);
    }

    /** @throws IllegalArgumentException naming the property that is wrong */
    public static ForwarderConfig fromProperties(Map<String, ?> properties) {
        List<Forward> forwards;
        try {
            forwards = ForwardsJson.readConfigured(text(properties.get(FORWARDS)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(FORWARDS + ": " + e.getMessage(), e);
        }
        String fromGateway = text(properties.get(SOURCE_FROM_GATEWAY)).trim();
        if (!fromGateway.isEmpty() && !fromGateway.equals("true") && !fromGateway.equals("false")) {
            throw new IllegalArgumentException(SOURCE_FROM_GATEWAY + ": \"" + fromGateway + "\" is not true or false");
        }
        long sshPort = number(properties, SSH_PORT, -1);
        long idle = number(properties, UDP_FLOW_IDLE_SECONDS, DEFAULT_UDP_FLOW_IDLE_SECONDS);
        long maxFlows = number(properties, UDP_MAX_FLOWS, DEFAULT_UDP_MAX_FLOWS);
        return new ForwarderConfig(forwards, Boolean.parseBoolean(fromGateway), (int) clamp(sshPort), idle,
                (int) clamp(maxFlows));
    }

    /** A whole-number property; absent or blank is {@code absent}. */
    private static long number(Map<String, ?> properties, String key, long absent) {
        String value = text(properties.get(key)).trim();
        if (value.isEmpty()) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": \"" + value + "\" is not a number");
        }
    }

    /** Out-of-int values stay out of range, so the range check names them. */
    private static long clamp(long value) {
        return Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
    }

    /** A property as text; a String[] (a multi-line value in a config file) is joined. */
    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String[] lines) {
            return String.join("\n", lines);
        }
        return String.valueOf(value);
    }
}
