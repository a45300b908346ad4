package io.tapvsock.itests.harness;

/** The daemon's default virtual network (compat.md §1, §5), as the guests see it. */
public final class VirtualNet {
    public static final String GATEWAY_IP = "192.168.127.1";
    public static final String GATEWAY_MAC = "5a:94:ef:e4:0c:dd";
    public static final String GUEST_IP = "192.168.127.2";
    public static final String NETMASK = "255.255.255.0";
    /** NAT: this address inside the virtual network is the host's 127.0.0.1. */
    public static final String HOST_IP = "192.168.127.254";

    private VirtualNet() {
    }
}
