package io.tapvsock.launcher;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * gvproxy's YAML configuration ({@code -config FILE}, compat.md section 2), turned into what the command line
 * already becomes. A field that has a flag becomes that flag's value unless the flag was given (flags override it;
 * {@code -forward-*} values are added after the file's, as gvproxy does); the other fields become configuration
 * properties: the network's extra keys (flags PID), the DHCP static leases and search domains, the DNS zones, the
 * forwarder's forwards and the vpnkit UUID map. As with gvproxy, a configuration file turns off the defaults
 * gvproxy adds without one (DNS zones, the ssh forward, the device's static lease, the vpnkit UUID): what the file
 * leaves out stays out, unless the matching config/*.cfg sets it or the flag ({@code -ssh-port}) is given.
 *
 * @param file the file, for errors
 * @param flagValues flag name to values, as if given on the command line
 * @param origins flag name to the field it came from ({@code stack.mtu}), to name it in errors
 * @param network further {@value NetworkSettings#FLAGS_PID} properties (gatewayMacAddress, nat, gatewayVirtualIPs)
 * @param logLevel {@code log-level} other than debug, or null
 * @param zonesJson {@code stack.dns} as the DNS service's zones JSON, or null when absent
 * @param staticLeases {@code stack.dhcpStaticLeases} as ip=mac entries, or null when absent
 * @param searchDomains {@code stack.dnsSearchDomains}, or null when absent
 * @param forwardsJson {@code stack.forwards} as the forwarder's JSON map, or null when absent
 * @param uuidMacs {@code stack.vpnKitUUIDMacAddresses} as uuid=mac entries, or null when absent
 */
record ConfigFile(Path file, Map<String, List<String>> flagValues, Map<String, String> origins,
        Map<String, String> network, Level logLevel, String zonesJson, List<String> staticLeases,
        List<String> searchDomains, String forwardsJson, List<String> uuidMacs) {

    private static final List<String> TOP = List.of("listen", "log-level", "log-file", "pid-file", "services",
            "ec2-metadata-access", "notification", "interfaces", "forwards", "stack");
    /** interfaces: key to flag. */
    private static final Map<String, String> INTERFACES = orderedMap("vpnkit", "listen-vpnkit", "qemu", "listen-qemu",
            "bess", "listen-bess", "stdio", "listen-stdio", "vfkit", "listen-vfkit");
    /** forwards[]: key to flag. */
    private static final Map<String, String> FORWARD = orderedMap("socket", "forward-sock", "dest", "forward-dest",
            "user", "forward-user", "identity", "forward-identity");
    /** stack: the keys that have a flag, to that flag. */
    private static final Map<String, String> STACK_FLAGS = orderedMap("debug", "debug", "capture-file", "pcap",
            "mtu", "mtu", "subnet", "subnet", "gatewayIP", "gatewayIP", "deviceIP", "deviceIP", "hostIP", "hostIP");
    /** Keys of newer gvproxy releases that we do not implement: named as such rather than as unknown. */
    private static final List<String> STACK_NOT_SUPPORTED = List.of("blockAllOutbound", "gatewayIPv6", "subnetIPv6");
    private static final List<String> STACK = concat(List.copyOf(STACK_FLAGS.keySet()), List.of("gatewayMacAddress",
            "dns", "dnsSearchDomains", "forwards", "nat", "gatewayVirtualIPs", "dhcpStaticLeases",
            "vpnKitUUIDMacAddresses", "ec2MetadataAccess"), STACK_NOT_SUPPORTED);
    /** Top-level keys that are plain flags of the same name. */
    private static final List<String> TOP_FLAGS = List.of("log-file", "pid-file", "services", "notification");
    /** logrus's levels (gvproxy's log-level) and ours. */
    private static final Map<String, Level> LOG_LEVELS = Map.of("panic", Level.SEVERE, "fatal", Level.SEVERE,
            "error", Level.SEVERE, "warn", Level.WARNING, "warning", Level.WARNING, "info", Level.INFO,
            "debug", Level.FINE, "trace", Level.FINE);
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
    private static final Pattern DOMAIN = Pattern.compile("([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.)*"
            + "[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.?");
    private static final Pattern HOST_PORT = Pattern.compile("(.*):([0-9]{1,5})");

    /** Reads and checks the file: its syntax, its keys, their types and values. */
    static ConfigFile read(Path file) throws FlagException {
        return from(file, YamlTree.load(file));
    }

    /** Reads YAML text as if it were {@code file}'s content (tests). */
    static ConfigFile parse(Path file, String yaml) throws FlagException {
        return from(file, YamlTree.parse(file.toString(), yaml));
    }

    private static ConfigFile from(Path file, YamlTree.Value root) throws FlagException {
        Builder builder = new Builder();
        Map<String, YamlTree.Value> top = root.fields(TOP);
        if (top.containsKey("listen")) {
            for (YamlTree.Value url : top.get("listen").items()) {
                builder.flag("listen", url.text(), "listen");
            }
        }
        for (String key : TOP_FLAGS) {
            if (top.containsKey(key)) {
                builder.flag(key, top.get(key).text(), key);
            }
        }
        if (top.containsKey("log-level")) {
            YamlTree.Value value = top.get("log-level");
            String name = value.text().toLowerCase(Locale.ROOT);
            builder.logLevel = LOG_LEVELS.get(name);
            if (builder.logLevel == null) {
                throw value.error("\"" + value.text() + "\" is not one of panic, fatal, error, warning, info, debug, "
                        + "trace");
            }
            if (builder.logLevel.equals(Level.FINE)) {
                builder.flag("debug", "true", "log-level");
                builder.logLevel = null;
            }
        }
        if (top.containsKey("interfaces")) {
            Map<String, YamlTree.Value> interfaces = top.get("interfaces").fields(INTERFACES.keySet());
            for (Map.Entry<String, YamlTree.Value> entry : interfaces.entrySet()) {
                builder.flag(INTERFACES.get(entry.getKey()), entry.getValue().text(), entry.getValue().path());
            }
        }
        if (top.containsKey("forwards")) {
            for (YamlTree.Value item : top.get("forwards").items()) {
                Map<String, YamlTree.Value> forward = item.fields(FORWARD.keySet());
                for (Map.Entry<String, String> key : FORWARD.entrySet()) {
                    YamlTree.Value value = forward.get(key.getKey());
                    builder.flag(key.getValue(), value == null ? "" : value.text(), "forwards");
                }
            }
        }
        Boolean ec2 = top.containsKey("ec2-metadata-access") ? top.get("ec2-metadata-access").bool() : null;
        String ec2Field = "ec2-metadata-access";
        if (top.containsKey("stack")) {
            YamlTree.Value stackField = top.get("stack");
            Map<String, YamlTree.Value> stack = stackField.fields(STACK);
            if (stack.containsKey("ec2MetadataAccess")) {
                // gvproxy has both; either one turns access on.
                boolean stackEc2 = stack.get("ec2MetadataAccess").bool();
                ec2Field = ec2 == null || stackEc2 ? "stack.ec2MetadataAccess" : ec2Field;
                ec2 = (ec2 != null && ec2) || stackEc2;
            }
            readStack(stackField, stack, builder);
        }
        if (ec2 != null) {
            builder.flag("ec2-metadata-access", ec2.toString(), ec2Field);
        }
        return builder.build(file);
    }

    private static void readStack(YamlTree.Value stackField, Map<String, YamlTree.Value> stack, Builder builder) throws FlagException {
        for (String key : STACK_NOT_SUPPORTED) {
            if (stack.containsKey(key)) {
                throw stack.get(key).error("not supported yet");
            }
        }
        Map<String, String> networkProperties = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : STACK_FLAGS.entrySet()) {
            YamlTree.Value value = stack.get(entry.getKey());
            if (value == null) {
                continue;
            }
            String text = switch (entry.getKey()) {
                case "debug" -> Boolean.toString(value.bool());
                case "mtu" -> Integer.toString(value.integer());
                default -> value.text();
            };
            if (entry.getKey().equals("debug") && text.equals("false")) {
                continue; // gvproxy's omitempty: false is unset, log-level may still turn debugging on
            }
            builder.flag(entry.getValue(), text, value.path());
            if (NetworkFlags.KEYS.containsKey(entry.getValue())) {
                networkProperties.put(NetworkFlags.KEYS.get(entry.getValue()), text);
            }
        }
        if (stack.containsKey("gatewayMacAddress")) {
            builder.network.put(NetworkSettings.GATEWAY_MAC, stack.get("gatewayMacAddress").text());
        }
        // NetworkFlags names a key without a flag as -key: errors about these then name their field too.
        for (String key : List.of(NetworkSettings.GATEWAY_MAC, NetworkSettings.NAT, NetworkSettings.GATEWAY_VIRTUAL_IPS)) {
            if (stack.containsKey(key)) {
                builder.origins.put(key, "stack." + key);
            }
        }
        if (stack.containsKey("nat")) {
            List<String> entries = new ArrayList<>();
            for (Map.Entry<String, YamlTree.Value> entry : stack.get("nat").entries().entrySet()) {
                entries.add(entry.getKey() + "=" + entry.getValue().text());
            }
            if (!entries.isEmpty()) { // gvproxy: an empty map is the default NAT
                builder.network.put(NetworkSettings.NAT, String.join(",", entries));
            }
        }
        if (stack.containsKey("gatewayVirtualIPs")) {
            List<String> addresses = new ArrayList<>();
            for (YamlTree.Value item : stack.get("gatewayVirtualIPs").items()) {
                addresses.add(item.text());
            }
            if (!addresses.isEmpty()) {
                builder.network.put(NetworkSettings.GATEWAY_VIRTUAL_IPS, String.join(",", addresses));
            }
        }
        networkProperties.putAll(builder.network);
        checkNetwork(stackField, stack, networkProperties);
        if (stack.containsKey("dns")) {
            builder.zonesJson = zonesJson(stack.get("dns"));
        }
        if (stack.containsKey("dnsSearchDomains")) {
            builder.searchDomains = new ArrayList<>();
            for (YamlTree.Value item : stack.get("dnsSearchDomains").items()) {
                String domain = item.text();
                if (!DOMAIN.matcher(domain).matches() || domain.length() > 253) {
                    throw item.error("\"" + domain + "\" is not a domain name");
                }
                builder.searchDomains.add(domain);
            }
        }
        if (stack.containsKey("forwards")) {
            builder.forwardsJson = forwardsJson(stack.get("forwards"));
        }
        if (stack.containsKey("dhcpStaticLeases")) {
            builder.staticLeases = new ArrayList<>();
            for (Map.Entry<String, YamlTree.Value> entry : stack.get("dhcpStaticLeases").entries().entrySet()) {
                YamlTree.Value mac = entry.getValue();
                String macText = mac.text();
                parse(mac, () -> Ipv4Address.parse(entry.getKey()));
                parse(mac, () -> MacAddress.parse(macText));
                builder.staticLeases.add(entry.getKey() + "=" + macText);
            }
        }
        if (stack.containsKey("vpnKitUUIDMacAddresses")) {
            builder.uuidMacs = new ArrayList<>();
            for (Map.Entry<String, YamlTree.Value> entry : stack.get("vpnKitUUIDMacAddresses").entries().entrySet()) {
                YamlTree.Value mac = entry.getValue();
                if (!UUID.matcher(entry.getKey()).matches()) {
                    throw mac.error("\"" + entry.getKey() + "\" is not a UUID");
                }
                String macText = mac.text();
                parse(mac, () -> MacAddress.parse(macText));
                builder.uuidMacs.add(entry.getKey() + "=" + macText);
            }
        }
    }

    /** The file's own network values must make a network (the command line may still change them). */
    private static void checkNetwork(YamlTree.Value stackField, Map<String, YamlTree.Value> stack,
            Map<String, String> properties)
            throws FlagException {
        try {
            NetworkSettings.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            int colon = message.indexOf(": ");
            String key = colon > 0 ? message.substring(0, colon) : "";
            YamlTree.Value field = stack.get(key);
            if (field == null) { // a default derived from the subnet clashes with what the file sets
                throw stackField.error(message);
            }
            throw field.error(colon > 0 ? message.substring(colon + 2) : message);
        }
    }

    /** stack.dns as the zones JSON of the DNS service (the shape of GET /services/dns/all). */
    private static String zonesJson(YamlTree.Value dns) throws FlagException {
        StringBuilder json = new StringBuilder("[");
        for (YamlTree.Value item : dns.items()) {
            Map<String, YamlTree.Value> zone = item.fields(List.of("name", "records", "defaultIP"));
            if (!zone.containsKey("name") || zone.get("name").text().isBlank()) {
                throw item.error("a zone needs a name");
            }
            json.append(json.length() > 1 ? "," : "").append("{\"Name\":").append(quote(zone.get("name").text()))
                    .append(",\"Records\":[");
            if (zone.containsKey("records")) {
                String separator = "";
                for (YamlTree.Value recordItem : zone.get("records").items()) {
                    Map<String, YamlTree.Value> record = recordItem.fields(List.of("name", "ip", "regexp"));
                    if (!record.containsKey("ip")) {
                        throw recordItem.error("a record needs an ip");
                    }
                    String ip = address(record.get("ip"));
                    json.append(separator).append("{\"IP\":").append(quote(ip));
                    if (record.containsKey("name")) {
                        json.append(",\"Name\":").append(quote(record.get("name").text()));
                    }
                    if (record.containsKey("regexp")) {
                        YamlTree.Value regexp = record.get("regexp");
                        try {
                            Pattern.compile(regexp.text());
                        } catch (PatternSyntaxException e) {
                            throw regexp.error("not a regular expression: " + e.getDescription());
                        }
                        json.append(",\"Regexp\":").append(quote(regexp.text()));
                    }
                    json.append('}');
                    separator = ",";
                }
            }
            String defaultIp = zone.containsKey("defaultIP") ? address(zone.get("defaultIP")) : "";
            json.append("],\"DefaultIP\":").append(quote(defaultIp)).append('}');
        }
        return json.append(']').toString();
    }

    /**
     * stack.forwards ({@code "[tcp:|udp:|unix:]local": remote}) as the forwarder's JSON map. TCP and UDP ends are
     * HOST:PORT; a unix local end is a socket path.
     */
    private static String forwardsJson(YamlTree.Value forwards) throws FlagException {
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, YamlTree.Value> entry : forwards.entries().entrySet()) {
            String local = entry.getKey();
            String protocol = "tcp";
            int colon = local.indexOf(':');
            if (colon > 0 && List.of("tcp", "udp", "unix").contains(local.substring(0, colon))) {
                protocol = local.substring(0, colon);
                local = local.substring(colon + 1);
            }
            YamlTree.Value remote = entry.getValue();
            if (!protocol.equals("unix")) {
                hostPort(remote, local, "the local address");
            }
            if (remote.text().isEmpty()) {
                throw remote.error("no remote address for " + entry.getKey());
            }
            if (!protocol.equals("unix") || !remote.text().contains("://")) {
                hostPort(remote, remote.text(), "the remote address");
            }
            json.append(json.length() > 1 ? "," : "").append(quote(entry.getKey())).append(':')
                    .append(quote(remote.text()));
        }
        return json.append('}').toString();
    }

    private static void hostPort(YamlTree.Value field, String text, String what) throws FlagException {
        Matcher matcher = HOST_PORT.matcher(text);
        if (!matcher.matches() || Integer.parseInt(matcher.group(2)) > 65535) {
            throw field.error(what + " \"" + text + "\" is not HOST:PORT");
        }
    }

    private static String address(YamlTree.Value value) throws FlagException {
        String text = value.text();
        parse(value, () -> Ipv4Address.parse(text));
        return text;
    }

    private interface Parse {
        Object run();
    }

    /** Runs a parser of the api, whose IllegalArgumentException says what is wrong, against a field. */
    private static void parse(YamlTree.Value field, Parse parse) throws FlagException {
        try {
            parse.run();
        } catch (IllegalArgumentException e) {
            throw field.error(e.getMessage());
        }
    }

    /** A JSON string literal. */
    static String quote(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    /**
     * The command line with this file under it: each flag the file sets and the command line does not takes the
     * file's value, {@code -forward-*} values are the file's followed by the command line's, {@code -ssh-port} is
     * off unless given (gvproxy adds no ssh forward with a configuration file), and {@code -config} itself is gone.
     */
    Flags.Parsed under(Flags.Parsed given) {
        Map<String, List<String>> values = new LinkedHashMap<>(given.values());
        values.remove("config");
        for (Map.Entry<String, List<String>> entry : flagValues.entrySet()) {
            String name = entry.getKey();
            if (FORWARD.containsValue(name)) {
                List<String> all = new ArrayList<>(entry.getValue());
                all.addAll(given.values().getOrDefault(name, List.of()));
                values.put(name, all);
            } else {
                values.putIfAbsent(name, entry.getValue());
            }
        }
        values.putIfAbsent("ssh-port", List.of("-1"));
        return new Flags.Parsed(given.flags(), values, given.arguments());
    }

    /** The command line under {@code config}, or without one the command line less an empty {@code -config}. */
    static Flags.Parsed under(ConfigFile config, Flags.Parsed given) {
        if (config != null) {
            return config.under(given);
        }
        Map<String, List<String>> values = new LinkedHashMap<>(given.values());
        values.remove("config");
        return new Flags.Parsed(given.flags(), values, given.arguments());
    }

    /** This file less the origins of the flags the command line gives (their values are not the file's). */
    ConfigFile overriddenBy(Flags.Parsed given) {
        Map<String, String> kept = new LinkedHashMap<>(origins);
        kept.keySet().removeIf(flag -> given.values().containsKey(flag) && !FORWARD.containsValue(flag));
        return new ConfigFile(file, flagValues, kept, network, logLevel, zonesJson, staticLeases, searchDomains,
                forwardsJson, uuidMacs);
    }

    /**
     * An error that names a flag ({@code -mtu}) or network key whose value came from this file, reworded to name
     * the file and the field; other errors unchanged.
     */
    FlagException attribute(FlagException error) {
        String message = String.valueOf(error.getMessage());
        for (Map.Entry<String, String> origin : origins.entrySet()) {
            Pattern flag = Pattern.compile("(?<![\\w-])-" + Pattern.quote(origin.getKey()) + "(?![\\w-])");
            if (flag.matcher(message).find()) {
                return FlagException.invalid(file + ": " + origin.getValue() + ": " + message);
            }
        }
        return error;
    }

    /**
     * The static leases against the network in force (the command line or config/ may have moved the subnet): the
     * DHCP service would refuse them with a log line only, so the launcher refuses to start instead.
     */
    void checkStaticLeases(NetworkSettings settings) throws FlagException {
        for (String entry : staticLeases == null ? List.<String>of() : staticLeases) {
            Ipv4Address address = Ipv4Address.parse(entry.substring(0, entry.indexOf('=')));
            if (!settings.subnet().isUsableHost(address) || settings.isGatewayAddress(address)
                    || address.equals(settings.hostIp())) {
                throw FlagException.invalid(file + ": stack.dhcpStaticLeases." + address + ": not a guest address of "
                        + settings.subnet() + " (a usable one, not the gateway's or the host's)");
            }
        }
    }

    /** {@link #network} over the flags' network properties: what goes to {@value NetworkSettings#FLAGS_PID}. */
    Map<String, String> networkOver(Map<String, String> flagProperties) {
        Map<String, String> properties = new LinkedHashMap<>(network);
        properties.putAll(flagProperties);
        return properties;
    }

    private static final class Builder {
        final Map<String, List<String>> flags = new LinkedHashMap<>();
        final Map<String, String> origins = new LinkedHashMap<>();
        final Map<String, String> network = new LinkedHashMap<>();
        Level logLevel;
        String zonesJson;
        List<String> staticLeases;
        List<String> searchDomains;
        String forwardsJson;
        List<String> uuidMacs;

        void flag(String name, String value, String field) {
            List<String> list = flags.computeIfAbsent(name, k -> new ArrayList<>());
            if (!name.equals("listen") && !name.startsWith("forward-")) {
                list.clear(); // a flag given twice keeps the last value; these have one source field each
            }
            list.add(value);
            origins.putIfAbsent(name, field);
        }

        ConfigFile build(Path file) {
            Map<String, List<String>> frozen = new LinkedHashMap<>();
            flags.forEach((name, values) -> frozen.put(name, List.copyOf(values)));
            return new ConfigFile(file, frozen, origins, network, logLevel, zonesJson,
                    staticLeases == null ? null : List.copyOf(staticLeases),
                    searchDomains == null ? null : List.copyOf(searchDomains), forwardsJson,
                    uuidMacs == null ? null : List.copyOf(uuidMacs));
        }
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> list : lists) {
            all.addAll(list);
        }
        return List.copyOf(all);
    }
}
