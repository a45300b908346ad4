package io.tapvsock.stack.osgi;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import java.util.List;
import java.util.Map;

/**
 * What this bundle's edge components (stats, /cam, shell commands) read from the running stack. Registered by
 * {@link NetworkComponent} as a service private to the bundle (its package is not exported). Any thread: each
 * call runs on the network loop and waits for it, with a timeout.
 */
public interface StackControl {

    /** Counters shaped like gvproxy's /stats. */
    Map<String, Object> stats();

    /** The switch's CAM table, MAC to port id, sorted by MAC. */
    Map<MacAddress, Integer> cam();

    /** One line per attached port. */
    List<String> ports();

    /** One line per UDP flow. */
    List<String> udpFlows();

    /** One line per forwarded ICMP echo flow. */
    List<String> icmpFlows();

    /** The gateway's neighbour table. */
    Map<Ipv4Address, String> neighbours();
}
