package io.tapvsock.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value of {@code -listen-tap}: comma-separated {@code key=value} pairs that become the properties of one
 * factory configuration of the tap transport ({@value Configurations#TAP_TRANSPORT_PID}), e.g.
 * {@code netns=/var/run/netns/g1,iface=tap0,configure=true,offload=false}. Checked here as far as the form goes (known keys,
 * an absolute namespace path, a number, a boolean); the bundle validates the rest when it starts.
 *
 * @param text       the flag's value as given
 * @param properties the configuration properties, in the order given
 */
record TapFlag(String text, Map<String, String> properties) {

    static final List<String> KEYS = List.of("netns", "iface", "mac", "mtu", "configure", "offload");

    static TapFlag parse(String text) throws FlagException {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw invalid(text, "\"" + pair + "\" is not key=value");
            }
            String key = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (!KEYS.contains(key)) {
                throw invalid(text, "unknown key \"" + key + "\" (known: " + String.join(", ", KEYS) + ")");
            }
            if (properties.put(key, value) != null) {
                throw invalid(text, "\"" + key + "\" given twice");
            }
        }
        String netns = properties.get("netns");
        if (netns != null && !netns.isEmpty() && !Path.of(netns).isAbsolute()) {
            throw invalid(text, "netns \"" + netns + "\" is not an absolute path (e.g. /var/run/netns/NAME)");
        }
        String mtu = properties.get("mtu");
        if (mtu != null && !mtu.matches("[0-9]{1,5}")) {
            throw invalid(text, "mtu \"" + mtu + "\" is not a number");
        }
        for (String key : List.of("configure", "offload")) {
            String value = properties.get(key);
            if (value != null && !value.equals("true") && !value.equals("false")) {
                throw invalid(text, key + " \"" + value + "\" is not true or false");
            }
        }
        return new TapFlag(text, Map.copyOf(properties));
    }

    private static FlagException invalid(String text, String reason) {
        return FlagException.invalid("-listen-tap " + text + ": " + reason);
    }
}
