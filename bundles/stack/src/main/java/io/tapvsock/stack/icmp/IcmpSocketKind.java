package io.tapvsock.stack.icmp;

/** The two ways a process can send ICMP echo requests on Linux (RFC 792 messages; see icmp(7) and raw(7)). */
public enum IcmpSocketKind {

    /**
     * {@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}: allowed when the process's group is in the namespace's
     * net.ipv4.ping_group_range (refused with EACCES otherwise, even for root). The kernel writes the identifier
     * (one per socket) and the checksum, and delivers to the socket only the echo replies for its identifier,
     * without the IP header.
     */
    PING(IcmpSyscalls.SOCK_DGRAM),

    /**
     * {@code socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)}: needs CAP_NET_RAW. The sender writes identifier and
     * checksum; the socket receives a copy of every ICMP packet of the namespace, IP header included.
     */
    RAW(IcmpSyscalls.SOCK_RAW);

    final int socketType;

    IcmpSocketKind(int socketType) {
        this.socketType = socketType;
    }
}
