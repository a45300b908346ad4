package io.tapvsock.launcher;

import io.tapvsock.api.NetworkSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The network flags and their configuration: each flag that was given becomes one property of
 * {@value NetworkSettings#FLAGS_PID}, which the stack merges over {@value NetworkSettings#PID} (the file
 * config/io.tapvsock.network.cfg), so flags win without FileInstall ever rewriting them. Flags not given are not
 * written at all, so the file's values stay in force for them.
 */
final class NetworkFlags {

    /** Flag name to configuration key (gvproxy's YAML names under {@code stack:}). */
    static final Map<String, String> KEYS = Map.of(
            "subnet", NetworkSettings.SUBNET,
            "gatewayIP", NetworkSettings.GATEWAY_IP,
            "deviceIP", NetworkSettings.DEVICE_IP,
            "hostIP", NetworkSettings.HOST_IP,
            "mtu", NetworkSettings.MTU,
            "ec2-metadata-access", NetworkSettings.EC2_METADATA_ACCESS);

    /** The file FileInstall reads for {@value NetworkSettings#PID}. */
    static final String FILE_NAME = NetworkSettings.PID + ".cfg";

    private NetworkFlags() {
    }

    /** The properties for {@value NetworkSettings#FLAGS_PID}: only the flags given, as text. */
    static Map<String, String> properties(Flags.Parsed flags) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String flag : new String[] {"subnet", "gatewayIP", "deviceIP", "hostIP", "mtu", "ec2-metadata-access"}) {
            if (flags.isSet(flag)) {
                properties.put(KEYS.get(flag), flags.value(flag).trim());
            }
        }
        return properties;
    }

    /**
     * Checks the settings the stack will see, the file's values with the flags over them, before anything
     * starts; the error names the flag, or the file and field when the file is at fault.
     *
     * @param configFile the network configuration file; it may not exist
     */
    static NetworkSettings validate(Map<String, String> flagProperties, Path configFile) throws FlagException {
        Map<String, String> fileProperties = readConfigFile(configFile);
        Map<String, String> merged = new HashMap<>(fileProperties);
        merged.putAll(flagProperties);
        try {
            return NetworkSettings.fromProperties(merged);
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            int colon = message.indexOf(": ");
            String key = colon > 0 ? message.substring(0, colon) : "";
            String reason = colon > 0 ? message.substring(colon + 2) : message;
            if (flagProperties.containsKey(key)) {
                throw FlagException.invalid("invalid -" + flagFor(key) + ": " + reason);
            }
            if (fileProperties.containsKey(key) || flagProperties.isEmpty()) {
                throw FlagException.invalid("invalid " + key + " in " + configFile + ": " + reason);
            }
            // A default derived from the subnet clashes with what the flags set (e.g. -gatewayIP at .2).
            String given = String.join(", ", flagProperties.keySet().stream().map(k -> "-" + flagFor(k)).toList());
            throw FlagException.invalid("invalid network flags (" + given + "): " + message);
        }
    }

    /** Reads a FileInstall .cfg file (java.util.Properties syntax); empty when the file does not exist. */
    static Map<String, String> readConfigFile(Path file) throws FlagException {
        Map<String, String> values = new HashMap<>();
        if (file == null || !Files.isRegularFile(file)) {
            return values;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw FlagException.invalid("cannot read " + file + ": " + e.getMessage());
        }
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).trim()));
        return values;
    }

    private static String flagFor(String key) {
        return KEYS.entrySet().stream().filter(e -> e.getValue().equals(key)).map(Map.Entry::getKey).findFirst()
                .orElse(key);
    }
}
