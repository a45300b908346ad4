package io.tapvsock.transport.common.shell;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The kinds of listener a shell user can open, each the factory configuration PID its bundle serves. The
 * property {@value #LISTEN} holds the URL in each of them (the tap transport's is a namespace spec instead).
 */
enum ListenerKind {
    API("io.tapvsock.http.endpoint"),
    QEMU("io.tapvsock.transport.qemu"),
    TAP("io.tapvsock.transport.tap"),
    BESS("io.tapvsock.transport.bess"),
    VFKIT("io.tapvsock.transport.vfkit"),
    VPNKIT("io.tapvsock.transport.vpnkit"),
    VSOCK("io.tapvsock.transport.vsock");

    static final String LISTEN = "listen";

    final String factoryPid;

    ListenerKind(String factoryPid) {
        this.factoryPid = factoryPid;
    }

    /** The kind named {@code name} (any case), or IllegalArgumentException listing the known ones. */
    static ListenerKind named(String name) {
        for (ListenerKind kind : values()) {
            if (kind.name().equalsIgnoreCase(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown listener kind \"" + name + "\"; known: " + names());
    }

    static String names() {
        return Arrays.stream(values()).map(kind -> kind.name().toLowerCase()).collect(Collectors.joining(", "));
    }

    /** The kind whose factory PID this is, or null. */
    static ListenerKind ofFactoryPid(String factoryPid) {
        for (ListenerKind kind : values()) {
            if (kind.factoryPid.equals(factoryPid)) {
                return kind;
            }
        }
        return null;
    }
}
