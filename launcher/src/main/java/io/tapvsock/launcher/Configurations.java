package io.tapvsock.launcher;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The configurations the command line implies, written through ConfigurationAdmin (whose API the system bundle
 * exports from the launcher's class path, so these are the same classes the bundles use). Location "?" binds
 * none of them to one bundle.
 */
final class Configurations {

    /** Factory PID of the http bundle's API endpoints; property {@value #LISTEN}. */
    static final String HTTP_ENDPOINT_PID = "io.tapvsock.http.endpoint";
    /** Factory PID of the qemu transport's listeners; property {@value #LISTEN}. */
    static final String QEMU_TRANSPORT_PID = "io.tapvsock.transport.qemu";
    /** Factory PID of the vsock endpoints ({@code -listen vsock://...}); property {@value #LISTEN}. */
    static final String VSOCK_TRANSPORT_PID = "io.tapvsock.transport.vsock";
    /** Factory PID of the bess transport's listeners; property {@value #LISTEN} (unixpacket:///path). */
    static final String BESS_TRANSPORT_PID = "io.tapvsock.transport.bess";
    static final String LISTEN = "listen";
    /** The http endpoints' switch for POST /connect: false for {@code -services}. */
    static final String CONNECT = "connect";
    /** Factory PID of the vfkit transport's listeners; property {@value #LISTEN} (unixgram:///path). */
    static final String VFKIT_TRANSPORT_PID = "io.tapvsock.transport.vfkit";
    /** Factory PID of the vpnkit transport's listeners; property {@value #LISTEN}. */
    static final String VPNKIT_TRANSPORT_PID = "io.tapvsock.transport.vpnkit";
    /** PID of the stdio transport (a singleton: there is one stdin); property {@value #LISTEN} ("accept"). */
    static final String STDIO_TRANSPORT_PID = "io.tapvsock.transport.stdio";
    /** Factory PID of the tap transport's links; properties netns, iface, mac, mtu, configure ({@link TapFlag}). */
    static final String TAP_TRANSPORT_PID = "io.tapvsock.transport.tap";

    /** PID of the capture (-pcap); property {@value #CAPTURE_FILE}. */
    static final String CAPTURE_PID = "io.tapvsock.service.capture";
    static final String CAPTURE_FILE = "file";
    /** PID of the notifications (-notification); property {@value #NOTIFICATION_SOCKET} (unix:///path). */
    static final String NOTIFICATION_PID = "io.tapvsock.service.notification";
    static final String NOTIFICATION_SOCKET = "socket";

    /** PID the launcher's forwarder flags go to, merged over io.tapvsock.service.forwarder; property {@value #SSH_PORT}. */
    static final String FORWARDER_FLAGS_PID = "io.tapvsock.service.forwarder.flags";
    static final String SSH_PORT = "sshPort";
    /** The forwarder's forwards (JSON), also in {@value #FORWARDER_FLAGS_PID}. */
    static final String FORWARDS = "forwards";

    /** PID of the DHCP service (config/io.tapvsock.dhcp.cfg); properties {@value #STATIC_LEASES}, {@value #SEARCH_DOMAINS}. */
    static final String DHCP_PID = "io.tapvsock.dhcp";
    static final String STATIC_LEASES = "staticLeases";
    static final String SEARCH_DOMAINS = "searchDomains";
    /** PID of the DNS service (config/io.tapvsock.service.dns.cfg); property {@value #ZONES}. */
    static final String DNS_PID = "io.tapvsock.service.dns";
    static final String ZONES = "zones";
    /** The vpnkit listener's UUID to MAC map, uuid=mac entries. */
    static final String UUID_MACS = "uuidMacs";
    /** FileInstall's mark on a configuration it loaded from a file. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    /** Factory PID of the SSH socket forwards (-forward-*); properties socket, dest, user, identity. */
    static final String SSH_FORWARD_PID = "io.tapvsock.service.sshforward";

    private final ConfigurationAdmin admin;

    private Configurations(ConfigurationAdmin admin) {
        this.admin = admin;
    }

    /**
     * Waits for the ConfigurationAdmin service. The tracker stays open for the daemon's life: ConfigurationAdmin
     * is a service factory, and closing the tracker would unget (and so invalidate) our instance.
     */
    static Configurations await(BundleContext context, Deadline deadline) throws StartupException,
            InterruptedException {
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> tracker =
                new ServiceTracker<>(context, ConfigurationAdmin.class, null);
        tracker.open();
        long millis = Math.max(1, (deadline.nanos() - System.nanoTime()) / 1_000_000);
        ConfigurationAdmin admin = tracker.waitForService(millis);
        if (admin == null) {
            tracker.close();
            throw new StartupException("ConfigurationAdmin did not start (is org.apache.felix.configadmin in bundle/?)");
        }
        return new Configurations(admin);
    }

    /** Sets a singleton configuration to exactly these properties. */
    void set(String pid, Map<String, ?> properties) throws IOException {
        admin.getConfiguration(pid, "?").update(new Hashtable<>(properties));
    }

    /** A singleton configuration's properties, empty when it does not exist (this does not create it). */
    Map<String, Object> current(String pid) throws IOException {
        Configuration[] found;
        try {
            found = admin.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID + "=" + pid + ")");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        Map<String, Object> properties = new java.util.LinkedHashMap<>();
        Dictionary<String, Object> dictionary = found == null ? null : found[0].getProperties();
        if (dictionary != null) {
            for (Enumeration<String> keys = dictionary.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                properties.put(key, dictionary.get(key));
            }
        }
        return properties;
    }

    /**
     * Creates (or replaces) the factory configuration {@code factoryPid~name}.
     *
     * @return its PID, which SCR shows as the component's service.pid
     */
    String setFactory(String factoryPid, String name, Map<String, ?> properties) throws IOException {
        Configuration configuration = admin.getFactoryConfiguration(factoryPid, name, "?");
        configuration.update(new Hashtable<>(properties));
        return configuration.getPid();
    }
}
