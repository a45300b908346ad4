package io.tapvsock.launcher;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration properties a {@code -config} file amounts to for the services that have no flag PID of their
 * own: DHCP and DNS get the file's fields over what config/ holds for them, the forwarder's flags PID gets the
 * file's forwards next to -ssh-port, the vpnkit listener its UUID map. A field the file leaves out keeps config/'s
 * value; where config/ has none either, the value is gvproxy's with a configuration file: nothing (no static lease,
 * no DNS zone, no UUID mapping), not the defaults gvproxy adds without one.
 */
final class ConfigFileProperties {

    /** A property whose value changes with every start, so the launcher can tell when a service took the update. */
    static final String MARKER = "tapvsock.configFile";

    private ConfigFileProperties() {
    }

    /** io.tapvsock.dhcp: the static leases and search domains over {@code current}. */
    static Map<String, Object> dhcp(ConfigFile config, Map<String, Object> current, String marker) {
        Map<String, Object> properties = new LinkedHashMap<>(current);
        if (config.staticLeases() != null) {
            properties.put(Configurations.STATIC_LEASES, config.staticLeases().toArray(String[]::new));
        } else if (!properties.containsKey(Configurations.STATIC_LEASES)) {
            properties.put(Configurations.STATIC_LEASES, new String[0]);
        }
        if (config.searchDomains() != null) {
            properties.put(Configurations.SEARCH_DOMAINS, config.searchDomains().toArray(String[]::new));
        }
        properties.put(MARKER, marker);
        return properties;
    }

    /** io.tapvsock.service.dns: the zones over {@code current}. */
    static Map<String, Object> dns(ConfigFile config, Map<String, Object> current, String marker) {
        Map<String, Object> properties = new LinkedHashMap<>(current);
        if (config.zonesJson() != null) {
            properties.put(Configurations.ZONES, config.zonesJson());
        } else if (String.valueOf(properties.getOrDefault(Configurations.ZONES, "")).isBlank()) {
            properties.put(Configurations.ZONES, "[]");
        }
        properties.put(MARKER, marker);
        return properties;
    }

    /** io.tapvsock.service.forwarder.flags: -ssh-port, and the file's forwards when it has some. */
    static Map<String, Object> forwarderFlags(ConfigFile config, int sshPort, String marker) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(Configurations.SSH_PORT, sshPort);
        if (config != null) {
            if (config.forwardsJson() != null) {
                properties.put(Configurations.FORWARDS, config.forwardsJson());
            }
            properties.put(MARKER, marker);
        }
        return properties;
    }

    /** A vpnkit listener: its URL, and with a configuration file its UUID map (none when the file has none). */
    static Map<String, Object> vpnkit(ConfigFile config, String url) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(Configurations.LISTEN, url);
        if (config != null) {
            properties.put(Configurations.UUID_MACS,
                    config.uuidMacs() == null ? new String[0] : config.uuidMacs().toArray(String[]::new));
        }
        return properties;
    }
}
