package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Frames;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.QemuWire;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input on the qemu socket from a raw client in place of a guest (issue 2, case e). Each bad frame must be
 * counted in /stats under a drop (or close) reason, or make the daemon close that connection; afterwards the
 * daemon still serves a real guest on the same listener.
 */
class BadInputTest {
    private static final byte[] CLIENT_MAC = Frames.mac("02:00:00:00:00:01");
    private static final byte[] CLIENT_IP = Frames.ipv4("192.168.127.77");
    private static final Duration OUTCOME = Duration.ofSeconds(10);

    @RegisterExtension
    final Harness harness = new Harness();

    private Daemon daemon;
    private QemuWire wire;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** What happened to one bad input: the counters that rose, and whether the connection was closed. */
    record Outcome(String input, Map<String, Long> increased, boolean closed) {
    }

    @Test
    void badFramesAreCountedOrCloseTheConnectionAndTheDaemonKeepsServing() throws Exception {
        Require.root();
        Path home = Require.dist();
        daemon = harness.daemon(home, List.of("-mtu", "1500"));
        connect();

        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(frame("short frame (10 bytes)", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
        outcomes.add(frame("IPv4 with a bad header checksum", badChecksumPing()));
        outcomes.add(frame("unknown EtherType 0x88b5",
            Frames.ethernet(Frames.GATEWAY_MAC, CLIENT_MAC, 0x88b5, new byte[46])));
        outcomes.add(frame("frame longer than the MTU allows (1600-byte IPv4 packet)", oversizedPing()));
        outcomes.add(raw("zero length prefix", new byte[] {0, 0, 0, 0}));
        outcomes.add(raw("absurd length prefix 0x7fffffff", new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
        Random random = new Random(42);
        byte[] garbage = new byte[64];
        for (int i = 0; i < 20; i++) {
            random.nextBytes(garbage);
            garbage[6] = 0x02; // a unicast source MAC that is not the gateway's: the frame reaches the stack
            outcomes.add(frame("random frame #" + i, garbage.clone()));
        }
        byte[] noise = new byte[256];
        random.nextBytes(noise);
        outcomes.add(raw("random bytes", noise));

        StringBuilder report = new StringBuilder();
        outcomes.forEach(o -> report.append('\n').append(o));
        System.out.println("bad input outcomes:" + report); // kept in the surefire output file
        for (Outcome outcome : outcomes) {
            assertTrue(outcome.closed() || !outcome.increased().isEmpty(),
                "neither counted nor closed: " + outcome.input() + report);
        }
        for (Outcome outcome : outcomes.subList(4, 6)) {
            assertTrue(outcome.closed(), "a zero or absurd length prefix must close the connection" + report);
        }
        // The first three are distinct faults: when they are counted, they are counted under distinct reasons.
        List<String> reasons = outcomes.subList(0, 3).stream().filter(o -> !o.closed())
            .map(o -> String.join(",", o.increased().keySet())).toList();
        assertEquals(reasons.size(), reasons.stream().distinct().count(), "one reason per fault:" + report);
        wire.close();

        // Still serving: once the raw client is gone (one client at a time; like gvproxy, a repeated
        // -listen-qemu flag replaces the earlier one), a real guest gets its lease and pings the gateway.
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        guest.ping(GATEWAY_IP, 2).requireSuccess();
        assertTrue(daemon.api().getJson("/stats").has("BytesReceived"));
    }

    private Outcome frame(String input, byte[] frame) throws IOException {
        ensureConnected();
        Map<String, Long> before = counters();
        try {
            wire.send(frame);
        } catch (IOException e) {
            closed.set(true); // the daemon closed the connection before we finished writing
        }
        return await(input, before);
    }

    private Outcome raw(String input, byte[] bytes) throws IOException {
        ensureConnected();
        Map<String, Long> before = counters();
        try {
            wire.sendRaw(bytes);
        } catch (IOException e) {
            closed.set(true);
        }
        return await(input, before);
    }

    /** Waits until the connection is closed or a drop/close counter rose; then reports both. */
    private Outcome await(String input, Map<String, Long> before) {
        long deadline = System.nanoTime() + OUTCOME.toNanos();
        while (true) {
            Map<String, Long> increased = increased(before, counters());
            boolean isClosed = closed.get();
            if (isClosed || !increased.isEmpty() || System.nanoTime() > deadline) {
                if (isClosed) {
                    settle(); // let the close reason reach /stats
                    increased = increased(before, counters());
                }
                return new Outcome(input, increased, isClosed);
            }
            sleep(100);
        }
    }

    private void ensureConnected() throws IOException {
        if (wire == null || closed.get()) {
            connect();
        }
    }

    private void connect() {
        if (wire != null) {
            wire.close();
        }
        // One client at a time per qemu listener: retry while the daemon finishes closing the previous one.
        long deadline = System.nanoTime() + OUTCOME.toNanos();
        while (true) {
            QemuWire candidate = QemuWire.connect(daemon.qemuSocket());
            AtomicBoolean candidateClosed = new AtomicBoolean();
            Thread reader = Thread.ofVirtual().start(() -> drain(candidate, candidateClosed));
            sleep(300);
            if (!candidateClosed.get()) {
                wire = candidate;
                closed.set(false);
                Thread.ofVirtual().start(() -> {
                    try {
                        reader.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    closed.set(true);
                });
                return;
            }
            candidate.close();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the qemu listener keeps refusing a new client after the old one closed");
            }
        }
    }

    /** Reads and discards what the daemon sends until it closes the connection. */
    private static void drain(QemuWire wire, AtomicBoolean closedFlag) {
        try {
            while (true) {
                wire.receive();
            }
        } catch (IOException e) {
            closedFlag.set(true);
        }
    }

    /** Every numeric counter in /stats whose path names a drop, close or malformed input. */
    private Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        flatten("", daemon.api().getJson("/stats"), counters);
        counters.keySet().removeIf(path -> !path.toLowerCase().matches(".*(drop|clos|malformed|invalid).*"));
        return counters;
    }

    private static void flatten(String path, JsonNode node, Map<String, Long> out) {
        if (node.isNumber()) {
            out.put(path, node.asLong());
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                flatten(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), out);
            }
        }
    }

    private static Map<String, Long> increased(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> increased = new LinkedHashMap<>();
        after.forEach((path, value) -> {
            long delta = value - before.getOrDefault(path, 0L);
            if (delta > 0) {
                increased.put(path, delta);
            }
        });
        return increased;
    }

    /** An ICMP echo to the gateway whose IPv4 header checksum is wrong. */
    private static byte[] badChecksumPing() {
        byte[] ip = Frames.ipv4Packet(CLIENT_IP, Frames.ipv4(GATEWAY_IP), 1, Frames.icmpEcho(1, 1, new byte[32]));
        ip[10] ^= 0x5a;
        return Frames.ethernet(Frames.GATEWAY_MAC, CLIENT_MAC, Frames.ETHERTYPE_IPV4, ip);
    }

    /** A well-formed ICMP echo to the gateway whose IPv4 packet (1600 bytes) exceeds the 1500-byte MTU. */
    private static byte[] oversizedPing() {
        byte[] ip = Frames.ipv4Packet(CLIENT_IP, Frames.ipv4(GATEWAY_IP), 1,
            Frames.icmpEcho(2, 1, new byte[1600 - 20 - 8]));
        return Frames.ethernet(Frames.GATEWAY_MAC, CLIENT_MAC, Frames.ETHERTYPE_IPV4, ip);
    }

    private static void settle() {
        sleep(300);
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
