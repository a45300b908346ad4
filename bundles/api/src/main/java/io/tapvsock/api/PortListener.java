package io.tapvsock.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when guests come and go on the switch, as gvproxy's notifications need: a guest counts as connected
 * when its port delivers its first frame (that is when its MAC is known), and as gone when that port leaves
 * the switch. A port that leaves before sending anything produces no event.
 *
 * <p>Called on the network loop: an implementation must return at once (hand the event to another thread).
 */
@ConsumerType
public interface PortListener {

    /**
     * The first frame arrived on a port.
     *
     * @param portId the port's id (as in /cam)
     * @param mac the source MAC of that frame
     * @param description the transport's description of the link
     */
    void guestConnected(int portId, MacAddress mac, String description);

    /**
     * A port that had announced a guest left the switch.
     *
     * @param mac the MAC {@link #guestConnected} gave
     * @param failure why the link failed (a transport error, broken framing), or null when it closed normally
     */
    void guestDisconnected(int portId, MacAddress mac, String description, String failure);
}
