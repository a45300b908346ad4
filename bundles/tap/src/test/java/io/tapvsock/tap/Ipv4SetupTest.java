package io.tapvsock.tap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ipv4Setup against the real kernel, inside a namespace made for the test. */
class Ipv4SetupTest {

    private static final int ADDRESS = 0x0A630002; // 10.99.0.2
    private static final int GATEWAY = 0x0A630001; // 10.99.0.1

    private TestNamespace namespace;

    @BeforeEach
    void createNamespace() throws Exception {
        namespace = TestNamespace.create();
        namespace.ip("link", "set", "lo", "down");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        namespace.close();
    }

    @Test
    void configure_setsAddressPrefix_bringsLinkAndLoUp_addsDefaultRoute() throws Exception {
        try (TapDevice tap = TapDevice.open(TapConfig.named("tap0").inNamespace(namespace.path()))) {
            boolean added = NetworkNamespace.call(namespace.path(),
                    () -> Ipv4Setup.configure(tap.name(), ADDRESS, 24, GATEWAY));

            assertTrue(added);
            String address = namespace.ip("-4", "addr", "show", "tap0");
            assertTrue(address.contains("inet 10.99.0.2/24 brd 10.99.0.255"), address);
            String link = namespace.ip("link", "show", "tap0");
            assertTrue(Pattern.compile("[<,]UP[,>]").matcher(link).find(), link);
            String lo = namespace.ip("link", "show", "lo");
            assertTrue(Pattern.compile("[<,]UP[,>]").matcher(lo).find(), lo);
            String routes = namespace.ip("-4", "route", "show", "default");
            assertTrue(routes.contains("default via 10.99.0.1 dev tap0"), routes);

            // Again: the address is replaced in place, the existing default route is left alone.
            assertFalse(NetworkNamespace.call(namespace.path(),
                    () -> Ipv4Setup.configure(tap.name(), ADDRESS, 24, GATEWAY)));
        }
    }

    @Test
    void configure_missingInterface_namesTheStep() throws Exception {
        ErrnoException failure = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class,
                () -> NetworkNamespace.call(namespace.path(), () -> Ipv4Setup.configure("nosuch0", ADDRESS, 24, GATEWAY)));
        assertTrue(failure.getMessage().startsWith("SIOCGIFFLAGS nosuch0"), failure.getMessage());
    }
}
