package io.tapvsock.service.forwarder.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The forwarder's counters ("service-forwarder" in /stats). Updated on the network loop, read from any thread. */
public final class ForwarderCounters {

    /** Host connections accepted on every forward. */
    public final LongAdder connections = new LongAdder();
    /** Host connections open now. */
    public final LongAdder activeConnections = new LongAdder();
    /** Host connections closed because the guest refused or did not answer. */
    public final LongAdder refused = new LongAdder();
    /** Payload bytes of every protocol: TCP streams and UDP datagrams. */
    public final LongAdder bytesToGuest = new LongAdder();
    public final LongAdder bytesToHost = new LongAdder();
    /** Connections that ended with a reset on either side. */
    public final LongAdder resets = new LongAdder();
    /** UDP flows opened (one per host client of a udp forward). */
    public final LongAdder udpFlows = new LongAdder();
    /** UDP flows open now. */
    public final LongAdder activeUdpFlows = new LongAdder();
    /** UDP flows that ended after their idle time. */
    public final LongAdder udpFlowsExpired = new LongAdder();
    /** UDP flows closed to make room for a new client (a forward's flow cap). */
    public final LongAdder udpFlowsEvicted = new LongAdder();
    public final LongAdder udpDatagramsToGuest = new LongAdder();
    public final LongAdder udpDatagramsToHost = new LongAdder();
    /**
     * UDP datagrams dropped: the guest's endpoint could not be opened or the datagram not sent (larger than the
     * MTU), a reply from another address than the forward's remote, or a reply the host socket could not send.
     */
    public final LongAdder udpDrops = new LongAdder();
    /** Requests the in-VM API could not parse. */
    public final LongAdder badRequests = new LongAdder();

    /** @param forwards how many forwards are open now */
    public Map<String, Object> snapshot(int forwards) {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("forwards", (long) forwards);
        snapshot.put("connections", connections.sum());
        snapshot.put("activeConnections", activeConnections.sum());
        snapshot.put("refused", refused.sum());
        snapshot.put("resets", resets.sum());
        snapshot.put("bytesToGuest", bytesToGuest.sum());
        snapshot.put("bytesToHost", bytesToHost.sum());
        snapshot.put("udpFlows", udpFlows.sum());
        snapshot.put("activeUdpFlows", activeUdpFlows.sum());
        snapshot.put("udpFlowsExpired", udpFlowsExpired.sum());
        snapshot.put("udpFlowsEvicted", udpFlowsEvicted.sum());
        snapshot.put("udpDatagramsToGuest", udpDatagramsToGuest.sum());
        snapshot.put("udpDatagramsToHost", udpDatagramsToHost.sum());
        snapshot.put("udpDrops", udpDrops.sum());
        snapshot.put("badRequests", badRequests.sum());
        return snapshot;
    }
}
