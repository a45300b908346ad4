package io.tapvsock.tap.qemuwrapper;

import java.io.IOException;
import java.util.List;

/**
 * {@code bin/qemu-wrapper SOCKET QEMU [ARGS...]}: for QEMU before 7.2, which cannot connect a stream netdev to
 * a unix socket itself. Connects to SOCKET (the daemon's qemu listener: a path or unix:///path), starts QEMU with
 * that connection as file descriptor 3 ({@code -netdev socket,id=vlan,fd=3} in ARGS), and exits with QEMU's exit
 * status (128 + the signal when a signal ended it). SIGTERM or SIGINT to the wrapper is passed on to QEMU.
 */
public final class QemuWrapperMain {

    /** The fd number QEMU is told about: {@code fd=3}. */
    static final int QEMU_FD = 3;
    private static final String USAGE = "usage: qemu-wrapper SOCKET QEMU [ARGS...]"
            + "  (SOCKET: the qemu listener's unix socket, a path or unix:///path; ARGS use -netdev socket,fd=3)";

    private QemuWrapperMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }

    /** Runs the wrapper; returns the exit status (2 for bad usage, 1 when QEMU could not be started). */
    static int run(List<String> args) {
        if (args.size() < 2 || args.get(0).isEmpty() || args.get(1).isEmpty()) {
            System.err.println(USAGE);
            return 2;
        }
        String socket = socketPath(args.get(0));
        int fd;
        try {
            fd = Posix.connectUnix(socket);
        } catch (IOException e) {
            System.err.println("qemu-wrapper: cannot connect to the qemu listener: " + e.getMessage());
            return 1;
        }
        int pid;
        try {
            pid = Posix.spawn(args.subList(1, args.size()), fd, QEMU_FD);
        } catch (IOException e) {
            System.err.println("qemu-wrapper: " + e.getMessage());
            return 1;
        } finally {
            Posix.close(fd); // QEMU has its own copy as fd 3; the listener sees the end when QEMU's closes
        }
        Thread forward = new Thread(() -> Posix.kill(pid, Posix.SIGTERM), "qemu-wrapper-signal");
        Runtime.getRuntime().addShutdownHook(forward);
        try {
            return Posix.waitFor(pid);
        } catch (IOException e) {
            System.err.println("qemu-wrapper: " + e.getMessage());
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(forward);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it passes the signal on
            }
        }
    }

    /** A plain path, or the path of a unix:// URL as gvproxy's flags write it. */
    static String socketPath(String socket) {
        return socket.startsWith("unix://") ? socket.substring("unix://".length()) : socket;
    }
}
