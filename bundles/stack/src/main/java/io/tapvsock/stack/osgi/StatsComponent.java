package io.tapvsock.stack.osgi;

import io.tapvsock.api.StatsSource;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The stack's counters at the top level of /stats (BytesSent, BytesReceived, IP, TCP, ...). */
@Component(service = StatsSource.class, property = StatsSource.NAME + "=")
public final class StatsComponent implements StatsSource {

    private final StackControl control;

    @Activate
    public StatsComponent(@Reference(name = "control") StackControl control) {
        this.control = control;
    }

    @Override
    public Map<String, Object> snapshot() {
        return control.stats();
    }
}
