package io.tapvsock.transport.common.shell;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.TreeMap;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Shell commands that open, list and close listeners at runtime through ConfigAdmin, the same factory
 * configurations the launcher's flags and config/ files make (so a listener opened here shows in
 * {@code tapvsock:configs}, and a file and a command never disagree):
 * <pre>
 *   tapvsock:listen qemu unix:///tmp/q2.sock             opens a listener (extra key=value pairs allowed)
 *   tapvsock:listen api tcp://127.0.0.1:8080 connect=false
 *   tapvsock:unlisten qemu unix:///tmp/q2.sock           closes it (deletes its configuration)
 *   tapvsock:configs                                     every listener configuration
 * </pre>
 * The bundle that serves a kind opens the listener when its component activates; an unknown kind, or a
 * listener that already has a configuration, is refused with a reason.
 */
@Component(service = Object.class, property = {
        "osgi.command.scope=tapvsock",
        "osgi.command.function=listen",
        "osgi.command.function=unlisten",
        "osgi.command.function=configs"})
public final class ListenerCommands {

    private final ConfigurationAdmin configurationAdmin;

    @Activate
    public ListenerCommands(@Reference ConfigurationAdmin configurationAdmin) {
        this.configurationAdmin = configurationAdmin;
    }

    /** Opens a listener: {@code listen KIND URL [key=value ...]}. */
    public String listen(String kind, String url, String... properties) throws IOException, InvalidSyntaxException {
        ListenerKind listenerKind = ListenerKind.named(kind);
        if (find(listenerKind, url) != null) {
            throw new IllegalArgumentException(kind + " " + url + " already has a configuration");
        }
        Dictionary<String, Object> values = new Hashtable<>();
        values.put(ListenerKind.LISTEN, url);
        for (String property : properties) {
            int equals = property.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("\"" + property + "\" is not key=value");
            }
            values.put(property.substring(0, equals), property.substring(equals + 1));
        }
        Configuration configuration = configurationAdmin.createFactoryConfiguration(listenerKind.factoryPid, "?");
        configuration.update(values);
        return "configured " + kind + " " + url + " (" + configuration.getPid() + ")";
    }

    /** Closes a listener: {@code unlisten KIND URL}. */
    public String unlisten(String kind, String url) throws IOException, InvalidSyntaxException {
        Configuration configuration = find(ListenerKind.named(kind), url);
        if (configuration == null) {
            throw new IllegalArgumentException("no " + kind + " listener configured for " + url);
        }
        String pid = configuration.getPid(); // unreadable once deleted
        configuration.delete();
        return "deleted " + kind + " " + url + " (" + pid + ")";
    }

    /** Every listener configuration, one per line: kind, URL, PID. */
    public String configs() throws IOException, InvalidSyntaxException {
        TreeMap<String, String> lines = new TreeMap<>();
        for (Configuration configuration : all()) {
            ListenerKind kind = ListenerKind.ofFactoryPid(configuration.getFactoryPid());
            Object url = configuration.getProperties().get(ListenerKind.LISTEN);
            lines.put(kind.name().toLowerCase() + " " + url, configuration.getPid());
        }
        StringBuilder text = new StringBuilder();
        lines.forEach((listener, pid) -> text.append(listener).append("  ").append(pid).append('\n'));
        return text.isEmpty() ? "no listener configurations\n" : text.toString();
    }

    private Configuration find(ListenerKind kind, String url) throws IOException, InvalidSyntaxException {
        for (Configuration configuration : all()) {
            if (kind.factoryPid.equals(configuration.getFactoryPid())
                    && url.equals(String.valueOf(configuration.getProperties().get(ListenerKind.LISTEN)))) {
                return configuration;
            }
        }
        return null;
    }

    private List<Configuration> all() throws IOException, InvalidSyntaxException {
        List<Configuration> listeners = new ArrayList<>();
        Configuration[] configurations = configurationAdmin.listConfigurations(null);
        if (configurations != null) {
            for (Configuration configuration : configurations) {
                if (ListenerKind.ofFactoryPid(configuration.getFactoryPid()) != null
                        && configuration.getProperties() != null) {
                    listeners.add(configuration);
                }
            }
        }
        return listeners;
    }
}
