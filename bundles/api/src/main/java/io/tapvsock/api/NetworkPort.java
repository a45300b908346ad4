package io.tapvsock.api;

import io.netty.buffer.ByteBuf;
import org.osgi.annotation.versioning.ProviderType;

/** One guest link on the switch, as seen by the transport that feeds it. Network loop only. */
@ProviderType
public interface NetworkPort {

    /** A small number unique among the ports attached now; /cam shows it. */
    int id();

    /**
     * One Ethernet II frame from the guest (no FCS, no framing prefix).
     *
     * @param frame transferred: callee releases
     */
    void receive(ByteBuf frame);

    /**
     * As {@link #receive}, for a frame the guest handed to its NIC with work left to offload (a virtio-net header
     * with NEEDS_CSUM or DATA_VALID, or a segmentation type): its TCP or UDP checksum is not verified (it may hold
     * only the pseudo-header sum), and a TCP frame may be a super-segment larger than the MTU. Other guests on the
     * switch still receive frames with complete checksums.
     *
     * @param frame transferred: callee releases
     */
    void receiveOffloaded(ByteBuf frame);

    /**
     * The transport has handed over every frame that was ready (Netty's channelReadComplete): the stack now
     * emits the ACKs it held back and flushes every sink it wrote to.
     */
    void endOfBurst();

    /** The link is gone: the port leaves the switch and its learned addresses are forgotten. Idempotent. */
    void detach();

    /**
     * As {@link #detach()}, for a link that failed (a transport error, broken framing): listeners are told why.
     *
     * @param failure a short reason, e.g. "io-error"; null means the link closed normally
     */
    default void detach(String failure) {
        detach();
    }
}
