package io.tapvsock.api;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Counters a bundle publishes; service-stats assembles them into GET /stats. Registered with the service
 * property {@value #NAME}: the key of this source's object in /stats ("" merges its counters into the top level).
 */
@ConsumerType
public interface StatsSource {

    /** Service property: where this source's counters appear in /stats. */
    String NAME = "tapvsock.stats.name";

    /**
     * A consistent snapshot. Values are Long, String, or nested maps of the same. Any thread may call this; a
     * source whose counters live on the network loop takes the snapshot there.
     */
    Map<String, Object> snapshot();
}
