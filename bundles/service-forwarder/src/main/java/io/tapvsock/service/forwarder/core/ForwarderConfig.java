package io.tapvsock.service.forwarder.core;

import java.util.List;
import java.util.Map;

/**
 * The forwarder's configuration (PID io.tapvsock.service.forwarder, with the launcher's flags PID merged over it).
 *
 * @param forwards          forwards to keep open ({@link ForwardsJson#readConfigured})
 * @param sourceFromGateway guests see forwarded connections come from the gateway IP, as with gvproxy, instead of
 *                          the client's address
 * @param sshPort           gvproxy's -ssh-port: forward 127.0.0.1:N to the device IP's port 22; -1 disables
 */
public record ForwarderConfig(List<Forward> forwards, boolean sourceFromGateway, int sshPort) {

    public static final String FORWARDS = "forwards";
    public static final String SOURCE_FROM_GATEWAY = "sourceFromGateway";
    public static final String SSH_PORT = "sshPort";

    public ForwarderConfig {
        forwards = List.copyOf(forwards);
        if (sshPort != -1 && (sshPort < 1 || sshPort > 65535)) {
            throw new IllegalArgumentException(SSH_PORT + ": " + sshPort + " is not -1 (off) or 1..65535");
        }
    }

    public static ForwarderConfig defaults() {
        return new ForwarderConfig(List.of(), false, -1);
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
        String ssh = text(properties.get(SSH_PORT)).trim();
        int sshPort;
        try {
            sshPort = ssh.isEmpty() ? -1 : Integer.parseInt(ssh);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SSH_PORT + ": \"" + ssh + "\" is not a number");
        }
        return new ForwarderConfig(forwards, Boolean.parseBoolean(fromGateway), sshPort);
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
