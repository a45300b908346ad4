package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.CfgFile;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Frames;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.HostServers;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.RawQemuClient;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input on one qemu connection disturbs no other (issue 2, case e). A real guest (namespace + forwarder) is
 * connected to listener A, the daemon's {@code -listen-qemu}, and downloads a file from the host the whole time.
 * Listener B is opened live by a factory configuration file dropped into {@code config/}; a raw test client on it
 * sends one kind of bad input after another. After each, the /stats counter for its reason rose by exactly the
 * number of bad frames (or B's connection was closed and the close counted under its reason), and the guest on A
 * still pings the gateway, echoes over TCP through the NAT address and receives the next part of its download.
 * At the end, deleting the file closes listener B and removes its socket; A's download completes intact.
 */
class BadInputTest {
    private static final byte[] CLIENT_MAC = Frames.mac("02:00:00:00:00:01");
    private static final byte[] CLIENT_IP = Frames.ipv4("192.168.127.77");
    private static final byte[] GATEWAY = Frames.ipv4(GATEWAY_IP);
    /** The longest any one step may take before the test gives up; never a pass/fail criterion on its own. */
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** FileInstall polls config/ every couple of seconds; on a busy machine allow much more. */
    private static final Duration APPLY = Duration.ofSeconds(45);
    private static final int MTU = 1500;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int RANDOM_FRAMES = 20;
    private static final String SECOND_CFG = "config/io.tapvsock.transport.qemu-second.cfg";
    /** A synthetic counter: the sum of every stack drop whose reason is about the IPv4 header. */
    private static final String IPV4_DROPS = "Drops.ipv4-*";
    private static final String CLOSES = "transport-qemu.closes.";

    @RegisterExtension
    final Harness harness = new Harness();

    private Daemon daemon;
    private NsGuest guest;
    private int echoPort;
    private Path download;
    private Path socketB;
    private RawQemuClient clientB;
    private int connectsB;
    private int refusedB;
    private int chunksReleased;
    private HostServers.GatedSource source;
    private final StringBuilder report = new StringBuilder();

    /**
     * One kind of bad input: what B's client sends, the counters that must rise and by how much, and whether
     * the daemon must close B's connection for it.
     */
    private record BadInput(String name, List<byte[]> frames, byte[] raw, Map<String, Long> counted,
        boolean closes) {
        static BadInput frames(String name, List<byte[]> frames, Map<String, Long> counted) {
            return new BadInput(name, frames, null, counted, false);
        }

        static BadInput prefix(String name, byte[] raw, String closeReason) {
            return new BadInput(name, List.of(), raw, Map.of(CLOSES + closeReason, 1L), true);
        }
    }

    @Test
    void badInputOnOneListenerIsCountedWhileAGuestOnAnotherKeepsWorking() throws Exception {
        Require.root();
        Require.executable("busybox");
        Require.executable("socat");
        Path home = harness.distCopy(); // this test writes into config/
        daemon = harness.daemon(home, List.of("-mtu", Integer.toString(MTU)));
        harness.diagnostic("bad input outcomes so far", report::toString);

        // Listener A: the real guest, with its lease, and a download from the host that spans the whole test.
        guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), MTU);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        HostServers servers = harness.hostServers();
        echoPort = servers.tcpEcho();
        List<BadInput> inputs = badInputs();
        source = servers.gatedSource(CHUNK_BYTES, inputs.size() + 2, 5);
        download = harness.workDir().resolve("download.bin");
        Process downloader = guest.ns().start("download",
            List.of("socat", "-u", "TCP:" + HOST_IP + ":" + source.port(), "CREATE:" + download));
        assertGuestWorks("before any bad input");

        Map<String, Long> start = counters();
        int portA = portOf(daemon.qemuSocket());

        // Listener B: opened by a factory configuration file written while the daemon runs.
        socketB = harness.workDir().resolve("b.sock");
        Path secondCfg = home.resolve(SECOND_CFG);
        CfgFile.write(secondCfg, Map.of("listen", "unix://" + socketB));
        awaitFile(socketB, Files::exists, "listener B's socket to appear after writing " + secondCfg);
        connectB();

        for (BadInput input : inputs) {
            feed(input);
            assertEquals(portA, portOf(daemon.qemuSocket()), "guest A's switch port changed after " + input.name());
            assertGuestWorks("after " + input.name());
        }

        // Deleting the file closes listener B: its client is closed and its socket file removed.
        Map<String, Long> beforeDelete = counters();
        Files.delete(secondCfg);
        clientB.awaitClosedByDaemon(APPLY);
        clientB.close();
        awaitFile(socketB, Files::notExists, "listener B's socket to disappear after deleting " + secondCfg);
        awaitCounted("deleting listener B's configuration", beforeDelete, Map.of(CLOSES + "listener-closed", 1L));
        releaseChunk(); // the last part: the host then ends the download
        assertGuestWorks("after listener B was closed");

        // The download ran across all of it and arrived intact.
        assertTrue(downloader.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the guest's download did not end");
        assertEquals(0, downloader.exitValue(), "socat in the guest: " + Proc.readQuietly(
            guest.ns().logFile("download")));
        assertEquals(source.bytes(), Files.size(download), "bytes the guest received");
        assertEquals(source.sha256(), sha256(download), "sha256 of what the guest received");

        // Nothing happened to A's connection: only B's connections were accepted, refused and closed.
        Map<String, Long> end = counters();
        Map<String, Long> delta = increased(start, end);
        System.out.println("bad input outcomes:" + report + "\nwhole test: " + delta); // surefire output file
        assertEquals(portA, portOf(daemon.qemuSocket()), "guest A's switch port");
        assertTrue(guest.forwarder().isAlive(), "guest A's forwarder exited");
        assertEquals(connectsB, delta.getOrDefault("transport-qemu.clientsAccepted", 0L),
            "clients accepted: only B's connections, A was never reconnected" + report);
        assertEquals(refusedB, delta.getOrDefault("transport-qemu.clientsRefused", 0L), "clients refused");
        Map<String, Long> closes = new TreeMap<>(delta);
        closes.keySet().removeIf(key -> !key.startsWith(CLOSES));
        Map<String, Long> closesOfB = new TreeMap<>(Map.of(CLOSES + "listener-closed", 1L));
        inputs.stream().filter(BadInput::closes).forEach(i -> i.counted().forEach((k, v) -> closesOfB.merge(k, v,
            Long::sum)));
        assertEquals(closesOfB, closes, "connection closes by reason: only B's, none of A" + report);
        assertEquals(0L, end.get("transport-qemu.stackErrors"), "the stack threw on a frame");
    }

    /** The bad inputs in order: frames that are dropped and counted, then byte streams that close B. */
    private static List<BadInput> badInputs() {
        Random random = new Random(42);
        List<byte[]> randomFrames = new ArrayList<>();
        for (int i = 0; i < RANDOM_FRAMES; i++) {
            // A valid Ethernet header to the gateway, then 20..99 random bytes as the IPv4 packet.
            byte[] garbage = new byte[20 + random.nextInt(80)];
            random.nextBytes(garbage);
            randomFrames.add(Frames.ethernet(Frames.GATEWAY_MAC, CLIENT_MAC, Frames.ETHERTYPE_IPV4, garbage));
        }
        // Unframed noise: its first four bytes are read as a length prefix, at least 256 MiB here (the top
        // byte is never 0), far above any frame the listener takes.
        byte[] noise = new byte[256];
        random.nextBytes(noise);
        noise[0] |= 0x10;
        return List.of(
            BadInput.frames("a short frame (10 bytes)", List.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}),
                Map.of("Drops.ethernet-truncated", 1L)),
            BadInput.frames("an IPv4 packet with a bad header checksum", List.of(badChecksumPing()),
                Map.of("Drops.ipv4-bad-checksum", 1L, "IP.MalformedPacketsReceived", 1L)),
            BadInput.frames("a frame of unknown EtherType 0x88b5", List.of(
                Frames.ethernet(Frames.GATEWAY_MAC, CLIENT_MAC, 0x88b5, new byte[46])),
                Map.of("Drops.ethernet-unknown-type", 1L)),
            BadInput.frames("a frame longer than the MTU allows (1600-byte IPv4 packet)", List.of(oversizedPing()),
                Map.of("Drops.ethernet-too-long", 1L)),
            BadInput.frames(RANDOM_FRAMES + " frames of random bytes after an IPv4 Ethernet header", randomFrames,
                Map.of(IPV4_DROPS, (long) RANDOM_FRAMES, "IP.MalformedPacketsReceived", (long) RANDOM_FRAMES)),
            BadInput.prefix("256 random bytes on the stream, no framing", noise, "frame-too-long"),
            BadInput.prefix("a zero length prefix", new byte[] {0, 0, 0, 0}, "bad-length-zero"),
            BadInput.prefix("an absurd length prefix 0x7fffffff",
                new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, "frame-too-long"));
    }

    /**
     * Sends one bad input on B while the next part of A's download is released, and checks how it was counted.
     * A frame must leave B's connection open: an ARP probe answered after it proves that, and that the frame
     * was handled. A bad length prefix must close B's connection; B then connects again for the next input.
     */
    private void feed(BadInput input) {
        releaseChunk();
        Map<String, Long> before = counters();
        for (byte[] frame : input.frames()) {
            assertTrue(clientB.send(frame), "B's connection was closed while sending " + input.name());
        }
        if (input.raw() != null) {
            clientB.sendRaw(input.raw());
        }
        if (input.closes()) {
            clientB.awaitClosedByDaemon(WAIT);
            clientB.close();
        } else {
            assertTrue(clientB.probe(), "the daemon closed B's connection after " + input.name()
                + ": a bad frame must be dropped and counted, not end the connection");
        }
        Map<String, Long> after = awaitCounted(input.name(), before, input.counted());
        if (!input.closes()) {
            for (Map.Entry<String, Long> counter : after.entrySet()) {
                if (counter.getKey().startsWith(CLOSES)) {
                    assertEquals(before.getOrDefault(counter.getKey(), 0L), counter.getValue(),
                        counter.getKey() + " rose after " + input.name() + ", which closes no connection");
                }
            }
        } else {
            connectB();
        }
    }

    /** Connects B's raw client, retrying while the listener still refuses (it takes one client at a time). */
    private void connectB() {
        RawQemuClient.Connected connected = RawQemuClient.connect(socketB, CLIENT_MAC, CLIENT_IP, GATEWAY, WAIT);
        clientB = harness.register(connected.client());
        connectsB++;
        refusedB += connected.refused();
    }

    /**
     * Waits until every counter in {@code expected} rose by at least its amount (the stats are read on another
     * thread than the one counting), then requires exactly that amount. Returns the counters then.
     */
    private Map<String, Long> awaitCounted(String input, Map<String, Long> before, Map<String, Long> expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Long> after = counters();
        while (!expected.entrySet().stream().allMatch(e -> delta(before, after, e.getKey()) >= e.getValue())
            && System.nanoTime() < deadline) {
            sleep(100);
            after.clear();
            after.putAll(counters());
        }
        Map<String, Long> increased = increased(before, after);
        report.append('\n').append(input).append(": ").append(increased);
        for (Map.Entry<String, Long> counter : expected.entrySet()) {
            assertEquals(counter.getValue(), delta(before, after, counter.getKey()),
                counter.getKey() + " after " + input + "; every counter that rose: " + increased);
        }
        return after;
    }

    /**
     * The guest on A still works: it receives the part of its download released so far, pings the gateway and
     * exchanges a line with the host's echo server through the NAT address.
     */
    private void assertGuestWorks(String when) {
        if (chunksReleased == 0) {
            releaseChunk();
        }
        long expected = (long) chunksReleased * CHUNK_BYTES;
        awaitFile(download, file -> size(file) >= expected, expected + " bytes of the guest's download " + when);
        guest.ping(GATEWAY_IP, 1).requireSuccess();
        String line = "echo-" + chunksReleased;
        Proc.Result echo = guest.sh(WAIT, "echo " + line + " | busybox nc " + HOST_IP + " " + echoPort);
        assertEquals(line, echo.requireSuccess().stdout().strip(), "TCP echo " + when + ": " + echo.describe());
    }

    private void releaseChunk() {
        source.gate().release();
        chunksReleased++;
    }

    /** Switch port id of the connection on the qemu listener at {@code socket}; fails unless exactly one. */
    private int portOf(Path socket) {
        String description = "qemu unix://" + socket;
        JsonNode ports = daemon.api().getJson("/stats").path("Switch").path("Ports");
        List<Integer> ids = new ArrayList<>();
        for (Map.Entry<String, JsonNode> port : ports.properties()) {
            if (description.equals(port.getValue().path("Description").asText())) {
                ids.add(Integer.parseInt(port.getKey()));
            }
        }
        assertEquals(1, ids.size(), "switch ports for " + description + ": " + ports);
        return ids.get(0);
    }

    /** Every numeric counter in /stats by path, plus {@value #IPV4_DROPS}. */
    private Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        flatten("", daemon.api().getJson("/stats"), counters);
        long ipv4Drops = counters.entrySet().stream().filter(e -> e.getKey().startsWith("Drops.ipv4-"))
            .mapToLong(Map.Entry::getValue).sum();
        counters.put(IPV4_DROPS, ipv4Drops);
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

    private static long delta(Map<String, Long> before, Map<String, Long> after, String path) {
        return after.getOrDefault(path, 0L) - before.getOrDefault(path, 0L);
    }

    /** The drop, close, error and client counters that rose, by how much (not the totals any traffic moves). */
    private static Map<String, Long> increased(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> increased = new TreeMap<>();
        after.forEach((path, value) -> {
            long delta = value - before.getOrDefault(path, 0L);
            if (delta > 0 && path.matches("(?i).*(drop|clos|malformed|invalid|error|client).*")) {
                increased.put(path, delta);
            }
        });
        return increased;
    }

    /** An ICMP echo to the gateway whose IPv4 header checksum is wrong. */
    private static byte[] badChecksumPing() {
        byte[] ip = Frames.ipv4Packet(CLIENT_IP, GATEWAY, 1, Frames.icmpEcho(1, 1, new byte[32]));
        ip[10] ^= 0x5a;
        return Frames.ethernet(Frames.GATEWAY_MAC, CLIENT_MAC, Frames.ETHERTYPE_IPV4, ip);
    }

    /** A well-formed ICMP echo to the gateway whose IPv4 packet (1600 bytes) exceeds the 1500-byte MTU. */
    private static byte[] oversizedPing() {
        byte[] ip = Frames.ipv4Packet(CLIENT_IP, GATEWAY, 1, Frames.icmpEcho(2, 1, new byte[1600 - 20 - 8]));
        return Frames.ethernet(Frames.GATEWAY_MAC, CLIENT_MAC, Frames.ETHERTYPE_IPV4, ip);
    }

    /** Waits until {@code state} holds for {@code file}; fails naming {@code what} after {@link #APPLY}. */
    private static void awaitFile(Path file, Predicate<Path> state, String what) {
        long deadline = System.nanoTime() + APPLY.toNanos();
        while (!state.test(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting " + APPLY + " for " + what + " (" + file + ", "
                    + (Files.exists(file) ? size(file) + " bytes" : "absent") + ")");
            }
            sleep(100);
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = HostServers.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
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
