package io.tapvsock.stack.link;

import io.netty.buffer.ByteBuf;

/** The switch's uplink to the gateway NIC: where frames for the gateway MAC, and broadcasts, go. Network loop only. */
public interface GatewayEndpoint {

    /**
     * One frame from a guest for the gateway: unicast to the gateway MAC, or a broadcast/multicast copy. The
     * switch has checked its length and EtherType and learned its source.
     *
     * @param frame borrowed: not retained after return. readerIndex at the Ethernet header.
     * @param offloaded its TCP/UDP checksum is not to be verified, and a TCP frame may exceed the MTU
     */
    void receive(SwitchPort from, ByteBuf frame, boolean offloaded);

    /** The guest on {@code port} ended its burst: emit held-back segments, then flush. */
    void endOfBurst(SwitchPort port);

    /** {@code port} left the switch: forget what was learned through it. */
    void detached(SwitchPort port);
}
