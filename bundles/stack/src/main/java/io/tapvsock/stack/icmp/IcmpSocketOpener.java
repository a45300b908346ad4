package io.tapvsock.stack.icmp;

/**
 * Opens the ICMP sockets of echo forwarding. A socket belongs to the network namespace of the thread that opens
 * it: the daemon's opener opens on the network loop; tests substitute one that opens inside a test namespace, or
 * one that is refused.
 */
@FunctionalInterface
public interface IcmpSocketOpener {

    /** Opens with socket(2) in the calling thread's network namespace. */
    IcmpSocketOpener SYSTEM = kind -> {
        int fd = IcmpSyscalls.socket(IcmpSyscalls.AF_INET,
                kind.socketType | IcmpSyscalls.SOCK_NONBLOCK | IcmpSyscalls.SOCK_CLOEXEC, IcmpSyscalls.IPPROTO_ICMP);
        return fd >= 0 ? fd : -IcmpSyscalls.errno();
    };

    /**
     * Opens a non-blocking, close-on-exec ICMP socket of that kind.
     *
     * @return the file descriptor, or minus the errno of the failure (-13 for EACCES)
     */
    int open(IcmpSocketKind kind);
}
