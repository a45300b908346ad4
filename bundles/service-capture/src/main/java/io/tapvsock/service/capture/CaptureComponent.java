package io.tapvsock.service.capture;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.FrameCapture;
import io.tapvsock.api.StatsSource;
import io.tapvsock.service.capture.core.PcapFile;
import io.tapvsock.service.capture.core.PcapRecorder;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * gvproxy's {@code -pcap FILE}: while configuration {@value #PID} names a file, every frame of the virtual network
 * goes there (the stack hands each frame to the one {@link FrameCapture} it binds). A new file in the
 * configuration switches files live; a file that cannot be created is refused with a logged reason and the
 * current capture goes on (at activation: no capture). Deleting the configuration ends the capture.
 */
@Component(configurationPid = CaptureComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {FrameCapture.class, StatsSource.class}, property = StatsSource.NAME + "=" + CaptureComponent.STATS_NAME)
@Designate(ocd = CaptureComponent.Config.class)
public final class CaptureComponent implements FrameCapture, StatsSource {

    public static final String PID = "io.tapvsock.service.capture";
    /** The key of the capture's counters in /stats. */
    public static final String STATS_NAME = "Capture";
    static final String FILE = "file";

    private static final System.Logger LOG = System.getLogger(CaptureComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock capture", description = "Every frame of the virtual network to a pcap file")
    public @interface Config {
        @AttributeDefinition(description = "The pcap file (created or truncated)")
        String file();

        @AttributeDefinition(description = "Frames waiting for the writer at most; beyond, frames are dropped and counted")
        int queueFrames() default 8192;

        @AttributeDefinition(description = "Bytes waiting for the writer at most; beyond, frames are dropped and counted")
        long queueBytes() default 16L << 20;
    }

    /** Read on the network loop for every frame; replaced whole when the file changes. */
    private volatile PcapRecorder recorder;

    @Activate
    public CaptureComponent(Map<String, Object> properties) throws IOException {
        recorder = open(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        PcapRecorder next;
        try {
            next = open(properties);
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "capture configuration " + PID + " refused, capturing to " + recorder.path()
                    + " goes on: " + e.getMessage());
            return;
        }
        PcapRecorder previous = recorder;
        recorder = next;
        previous.close();
    }

    @Deactivate
    void deactivate() {
        recorder.close();
        LOG.log(Level.INFO, "capture to " + recorder.path() + " ended: " + recorder.snapshot());
    }

    private static PcapRecorder open(Map<String, Object> properties) throws IOException {
        Object value = properties.get(FILE);
        String file = value == null ? "" : value.toString().trim();
        if (file.isEmpty()) {
            throw new IllegalArgumentException(FILE + " is empty: name the pcap file");
        }
        PcapRecorder.Limits limits = new PcapRecorder.Limits(integer(properties, "queueFrames", 8192),
                longValue(properties, "queueBytes", 16L << 20));
        Path path = Path.of(file).toAbsolutePath();
        PcapRecorder recorder;
        try {
            recorder = PcapRecorder.start(PcapFile.create(path), limits);
        } catch (IOException e) {
            throw new IOException("cannot create " + path + ": " + e, e);
        }
        LOG.log(Level.INFO, "capturing every frame to " + path);
        return recorder;
    }

    private static int integer(Map<String, Object> properties, String key, int fallback) {
        return (int) Math.min(Integer.MAX_VALUE, longValue(properties, key, fallback));
    }

    private static long longValue(Map<String, Object> properties, String key, long fallback) {
        Object value = properties.get(key);
        if (value == null || value.toString().isBlank()) {
            return fallback;
        }
        try {
            return value instanceof Number number ? number.longValue() : Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": \"" + value + "\" is not a number");
        }
    }

    /** @param frame borrowed: not retained after return */
    @Override
    public void capture(ByteBuf frame) {
        recorder.record(frame);
    }

    @Override
    public Map<String, Object> snapshot() {
        return recorder.snapshot();
    }
}
