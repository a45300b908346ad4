package io.tapvsock.service.dhcp;

import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.service.dhcp.core.CfgText;
import io.tapvsock.service.dhcp.core.DhcpConfig;
import io.tapvsock.service.dhcp.core.StaticLease;
import io.tapvsock.service.dhcp.core.StaticLeaseEdits;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell, scope tapvsock: static leases changed at runtime.
 * <ul>
 * <li>{@code leaseadd IP MAC}: a static lease (refused when the address or MAC already has one);</li>
 * <li>{@code leaseremove IP|MAC}: removes one.</li>
 * </ul>
 * The change goes through ConfigAdmin to the {@value DhcpComponent#PID} configuration, so the server runs what
 * /leases then shows; when that configuration comes from a config/ file, the file's staticLeases line is
 * rewritten too, so the file and the running server agree (FileInstall does not write back, by our settings).
 * Errors come back as text starting with "error:"; nothing changes then.
 */
@Component(service = Object.class, property = {"osgi.command.scope=tapvsock",
        "osgi.command.function=leaseadd", "osgi.command.function=leaseremove"})
public final class StaticLeaseCommands {

    /** The property FileInstall puts on configurations it made from a file: the file's URL. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private final ConfigurationAdmin configurationAdmin;
    private final VirtualNetwork network;

    @Activate
    public StaticLeaseCommands(@Reference ConfigurationAdmin configurationAdmin,
            @Reference(name = "network") VirtualNetwork network) {
        this.configurationAdmin = configurationAdmin;
        this.network = network;
    }

    public String leaseadd(String ip, String mac) {
        try {
            StaticLease lease = StaticLease.parse(ip + "=" + mac);
            Configuration configuration = configuration();
            List<StaticLease> leases = StaticLeaseEdits.add(properties(configuration), network.settings(), lease);
            return "static lease " + lease + " added" + store(configuration, leases);
        } catch (IllegalArgumentException | IOException | InvalidSyntaxException e) {
            return "error: " + e.getMessage();
        }
    }

    public String leaseremove(String ipOrMac) {
        try {
            Configuration configuration = configuration();
            List<StaticLease> leases = StaticLeaseEdits.remove(properties(configuration), network.settings(), ipOrMac);
            return "static lease of " + ipOrMac + " removed" + store(configuration, leases);
        } catch (IllegalArgumentException | IOException | InvalidSyntaxException e) {
            return "error: " + e.getMessage();
        }
    }

    /** The DHCP configuration: FileInstall's (or an earlier command's), else a new one. */
    private Configuration configuration() throws IOException, InvalidSyntaxException {
        Configuration[] found = configurationAdmin.listConfigurations(
                "(" + org.osgi.framework.Constants.SERVICE_PID + "=" + DhcpComponent.PID + ")");
        return found != null && found.length > 0 ? found[0] : configurationAdmin.getConfiguration(DhcpComponent.PID, "?");
    }

    private static Map<String, Object> properties(Configuration configuration) {
        Map<String, Object> properties = new HashMap<>();
        Dictionary<String, Object> dictionary = configuration.getProperties();
        if (dictionary != null) {
            for (String key : Collections.list(dictionary.keys())) {
                properties.put(key, dictionary.get(key));
            }
        }
        return properties;
    }

    /** Writes the file first (so FileInstall's next scan agrees), then the configuration; says what it wrote. */
    private static String store(Configuration configuration, List<StaticLease> leases) throws IOException {
        Map<String, Object> properties = properties(configuration);
        String note = "";
        Object file = properties.get(FILEINSTALL_FILENAME);
        if (file != null) {
            Path path = Path.of(URI.create(file.toString()));
            Path next = path.resolveSibling("." + path.getFileName() + ".next"); // a name FileInstall ignores
            String text = Files.readString(path, StandardCharsets.UTF_8);
            Files.writeString(next, CfgText.set(text, DhcpConfig.STATIC_LEASES, StaticLeaseEdits.toCfgValue(leases)),
                    StandardCharsets.UTF_8);
            Files.move(next, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            note = " (" + path + " updated)";
        }
        // FileInstall gives a file's values as text: keep that form, so its next scan sees no difference.
        properties.put(DhcpConfig.STATIC_LEASES, file != null ? StaticLeaseEdits.toCfgValue(leases)
                : StaticLeaseEdits.toProperty(leases));
        configuration.update(new Hashtable<>(properties));
        return note;
    }
}
