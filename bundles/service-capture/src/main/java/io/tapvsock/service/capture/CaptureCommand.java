package io.tapvsock.service.capture;

import io.tapvsock.api.StatsSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo shell, through the same configuration {@value CaptureComponent#PID} that -pcap and config/ files write:
 * <pre>
 *   tapvsock:capture                    what is captured now, and the counters
 *   tapvsock:capture start FILE         capture every frame to FILE (or switch to it)
 *   tapvsock:capture stop               end the capture (deletes the configuration)
 * </pre>
 */
@Component(service = Object.class,
        property = {"osgi.command.scope=tapvsock", "osgi.command.function=capture"})
public final class CaptureCommand {

    private final ConfigurationAdmin configurationAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(" + StatsSource.NAME + "=" + CaptureComponent.STATS_NAME + ")")
    private volatile StatsSource capture;

    @Activate
    public CaptureCommand(@Reference ConfigurationAdmin configurationAdmin) {
        this.configurationAdmin = configurationAdmin;
    }

    /** Shows the capture in force. */
    public String capture() {
        StatsSource current = capture;
        if (current == null) {
            return "not capturing\n";
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Object> entry : current.snapshot().entrySet()) {
            text.append(entry.getKey()).append(": ").append(entry.getValue()).append('\n');
        }
        return text.toString();
    }

    /** {@code capture stop}. */
    public String capture(String action) throws IOException {
        if (!action.equals("stop")) {
            throw new IllegalArgumentException("usage: capture [start FILE | stop]");
        }
        Configuration configuration = configurationAdmin.getConfiguration(CaptureComponent.PID, "?");
        if (configuration.getProperties() == null) {
            configuration.delete();
            return "not capturing\n";
        }
        Object file = configuration.getProperties().get(CaptureComponent.FILE);
        configuration.delete();
        return "capture to " + file + " ended\n";
    }

    /** {@code capture start FILE}. */
    public String capture(String action, String file) throws IOException {
        if (!action.equals("start")) {
            throw new IllegalArgumentException("usage: capture [start FILE | stop]");
        }
        if (file.isBlank()) {
            throw new IllegalArgumentException("capture start needs a file");
        }
        Path path = Path.of(file).toAbsolutePath();
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(CaptureComponent.FILE, path.toString());
        configurationAdmin.getConfiguration(CaptureComponent.PID, "?").update(properties);
        return "capturing to " + path + " (configuration " + CaptureComponent.PID + ")\n";
    }
}
