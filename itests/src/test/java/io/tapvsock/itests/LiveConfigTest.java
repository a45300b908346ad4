package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.CfgFile;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Lease;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The distribution's {@code config/} is live (issue 2, case c): a valid edit of the network configuration is
 * applied without a restart, an invalid one is refused with a log line naming the field and the old value stays.
 * Each test runs from its own copy of the distribution.
 */
class LiveConfigTest {
    private static final Duration APPLY = Duration.ofSeconds(45);

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void mtuEditIsLeasedLiveAndInvalidGatewayIsRefused() {
        Require.root();
        Path home = harness.distCopy();
        Path networkCfg = home.resolve("config/io.tapvsock.network.cfg");
        assertTrue(Files.isRegularFile(networkCfg), "the distribution has no " + networkCfg);
        Daemon daemon = harness.daemon(home, List.of());
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals("1500", guest.dhcp().mtu());

        CfgFile.set(networkCfg, "mtu", "1400");
        Lease lease = awaitLease(guest, l -> l.mtu().equals("1400"));
        assertEquals(GATEWAY_IP, lease.router());

        int logBefore = daemon.log().length();
        CfgFile.set(networkCfg, "gatewayIP", "10.9.9.9");
        awaitNewLog(daemon, logBefore, "gatewayIP");
        Lease after = guest.dhcp();
        assertEquals(GATEWAY_IP, after.router(), "the refused gatewayIP must not be in force");
        assertEquals("1400", after.mtu(), "the last valid configuration stays in force");
        guest.ping(GATEWAY_IP, 2).requireSuccess();
    }

    /** Takes leases until one satisfies {@code wanted} (FileInstall polls the directory every few seconds). */
    private static Lease awaitLease(NsGuest guest, java.util.function.Predicate<Lease> wanted) {
        long deadline = System.nanoTime() + APPLY.toNanos();
        Lease lease = guest.dhcp();
        while (!wanted.test(lease)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the edited configuration was not applied within " + APPLY
                    + "; last lease: " + lease);
            }
            sleep(1000);
            lease = guest.dhcp();
        }
        return lease;
    }

    /** Waits for log text written after offset {@code from} that contains {@code text}. */
    private static void awaitNewLog(Daemon daemon, int from, String text) {
        long deadline = System.nanoTime() + APPLY.toNanos();
        while (true) {
            String log = daemon.log();
            if (log.length() > from && log.substring(from).contains(text)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no log line naming '" + text + "' within " + APPLY
                    + " of the invalid edit; new log:\n" + Proc.tail(log.substring(Math.min(from, log.length())),
                    6000));
            }
            sleep(500);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
