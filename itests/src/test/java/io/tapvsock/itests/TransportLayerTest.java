package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.CfgFile;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.HostServers;
import io.tapvsock.itests.harness.ImpairedLink;
import io.tapvsock.itests.harness.NetNs;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.ReplyAfterEofServer;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport layer (issue 3) against the real Linux TCP/UDP stack of a namespace guest (forwarder + DHCP):
 * half-close, refused connects, a guest that stops reading, a lossy and reordering link, many concurrent
 * connections, UDP flow expiry and eviction, and connects that hang beside one that must not. The guest side
 * is driven by small python3 programs (src/test/resources/transport/) run inside the guest namespace.
 */
class TransportLayerTest {
    private static final Duration COMMAND = Duration.ofSeconds(120);

    @RegisterExtension
    final Harness harness = new Harness();

    private Path home;
    private String python;

    @BeforeEach
    void prerequisites() {
        Require.root();
        Require.executable("busybox");
        Require.executable("socat");
        python = Require.executable("python3").toString();
        home = Require.dist();
    }

    /** The guest shuts down its writing side after the request and still reads the whole response. */
    @Test
    void guestHalfCloseStillReadsTheWholeResponse() throws Exception {
        NsGuest guest = leasedGuest(harness.daemon(home, List.of("-mtu", "1500")));
        long responseBytes = 8L * 1024 * 1024;
        ReplyAfterEofServer server = harness.register(ReplyAfterEofServer.start(responseBytes, 5));
        int requestBytes = 300 * 1024;

        Proc.Result run = guest.ns().exec(COMMAND, python, script("half_close_client.py"), HOST_IP,
            Integer.toString(server.port()), Integer.toString(requestBytes), "17").requireSuccess();

        HostServers.Received request = server.requests().poll(30, TimeUnit.SECONDS);
        assertNotNull(request, "the host server never saw the guest's EOF: " + run.describe());
        Map<String, String[]> lines = keyedLines(run.stdout());
        assertEquals(new HostServers.Received(requestBytes, lines.get("request")[1]), request,
            "request bytes and sha256 as the host read them up to the guest's FIN");
        assertEquals(List.of(Long.toString(responseBytes), server.responseSha256()),
            List.of(lines.get("response")), "response read by the half-closed guest");
    }

    /** A connect to a host port nobody listens on fails in the guest with ECONNREFUSED, not a timeout. */
    @Test
    void connectToClosedHostPortIsRefused() {
        NsGuest guest = leasedGuest(harness.daemon(home, List.of("-mtu", "1500")));
        int closedPort = closedLoopbackPort();

        Proc.Result run = guest.ns().exec(COMMAND, python, script("connect_outcome.py"), HOST_IP,
            Integer.toString(closedPort), "20").requireSuccess();

        assertTrue(run.stdout().startsWith("ConnectionRefusedError"), run.describe());
    }

    /** The guest stops reading mid-way (its window closes), resumes later, and gets every byte. */
    @Test
    void guestThatStopsReadingLosesNothing() {
        NsGuest guest = leasedGuest(harness.daemon(home, List.of("-mtu", "1500")));
        HostServers.Source source = harness.hostServers().source(20L * 1024 * 1024, 23);

        Proc.Result run = guest.ns().exec(COMMAND, python, script("slow_reader.py"), HOST_IP,
            Integer.toString(source.port()), Integer.toString(3 * 1024 * 1024), "6").requireSuccess();

        assertTrue(run.stdout().startsWith("paused"), run.describe());
        String[] last = run.stdout().strip().lines().reduce((a, b) -> b).orElseThrow().split(" ");
        assertEquals(List.of(Long.toString(source.bytes()), source.sha256()), List.of(last), run.describe());
    }

    /**
     * 8 MiB each way over a link that loses 2%, duplicates 1%, reorders 5% of the frames and delays the rest by
     * 1 ms, in both directions, arrives byte-exact. The kernel here has neither sch_netem nor module support, so
     * netem's impairment is applied by {@link ImpairedLink} to the frames between the guest's forwarder and the
     * daemon.
     */
    @Test
    void lossyReorderingLinkStillCarriesBothWaysByteExact() throws Exception {
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500"));
        ImpairedLink link = harness.register(ImpairedLink.start(harness.workDir().resolve("impaired.sock"),
            daemon.qemuSocket(), ImpairedLink.Profile.netemLike(), 20251128));
        harness.diagnostic("impaired link", () -> "to daemon " + link.toDaemon() + "\nto guest " + link.toGuest());
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, link.socket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        link.impair(true);
        long bytes = 8L * 1024 * 1024;
        HostServers servers = harness.hostServers();

        BlockingQueue<HostServers.Received> received = HostServers.queue();
        int sink = servers.sink(received);
        Path upload = harness.workDir().resolve("upload.bin");
        String uploadSha = NamespaceGuestTest.writeRandomFile(upload, bytes, 29);
        guest.sh(COMMAND, "socat -u OPEN:" + upload + " TCP:" + HOST_IP + ":" + sink).requireSuccess();
        assertEquals(new HostServers.Received(bytes, uploadSha), received.poll(60, TimeUnit.SECONDS),
            () -> "guest -> host over the impaired link; /stats TCP: " + tcpStats(daemon));

        HostServers.Source source = servers.source(bytes, 31);
        String downloadSha = guest.sh(COMMAND, "socat -u TCP:" + HOST_IP + ":" + source.port() + " STDOUT"
            + " | sha256sum").requireSuccess().stdout();
        assertEquals(source.sha256(), downloadSha.split("\\s+")[0],
            () -> "host -> guest over the impaired link; /stats TCP: " + tcpStats(daemon));

        // The link really was bad both ways (otherwise this test proves nothing).
        for (ImpairedLink.Counts counts : List.of(link.toDaemon(), link.toGuest())) {
            assertTrue(counts.dropped() > 0 && counts.duplicated() > 0 && counts.reordered() > 0,
                counts.toString());
        }
    }

    /**
     * 1000 connections open at once through the NAT, each echoing 1 KiB byte-exact; afterwards every one of
     * them is gone from the daemon's connection table.
     */
    @Test
    void thousandConcurrentConnectionsEchoAndAreTornDown() throws Exception {
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500"));
        NsGuest guest = leasedGuest(daemon);
        int echo = harness.hostServers().tcpEcho();
        int connections = 1000;
        Path ready = harness.workDir().resolve("all-open");
        Path go = harness.workDir().resolve("go");

        Process client = guest.ns().start("many", List.of("sh", "-c", "ulimit -n 4096 && exec " + python + " "
            + script("many_connections.py") + " " + HOST_IP + " " + echo + " " + connections + " 64 " + ready + " "
            + go));
        Path log = guest.ns().logFile("many");
        awaitFile(ready, client, log, Duration.ofSeconds(120));
        JsonNode open = tcpStats(daemon);
        assertTrue(open.path("CurrentConnected").asLong() >= connections, "all open: " + open);

        Files.createFile(go);
        assertTrue(client.waitFor(120, TimeUnit.SECONDS), "the client did not finish: " + Proc.readQuietly(log));
        String output = Proc.readQuietly(log);
        assertEquals(0, client.exitValue(), output);
        assertTrue(output.contains("echoed " + connections + " of " + connections), output);

        JsonNode after = awaitStats(daemon, stats -> stats.path("TCP").path("CurrentConnected").asLong() == 0,
            Duration.ofSeconds(60), "every connection gone from the daemon");
        assertEquals(0, after.path("TCP").path("PendingConnects").asLong(), after.toString());
    }

    /** A UDP flow lives while used, and is closed once idle for udpFlowIdleSeconds. */
    @Test
    void idleUdpFlowExpires() throws Exception {
        Daemon daemon = udpDaemon(2, 3);
        NsGuest guest = leasedGuest(daemon);
        int echo = harness.hostServers().udpEcho();
        Path stop = harness.workDir().resolve("stop");

        UdpClient client = startUdpClient(guest, echo, "0", "0", stop);
        // Used more often than the timeout for longer than the timeout: still the one flow it was.
        Thread.sleep(3_000);
        JsonNode live = udpStats(daemon);
        assertEquals(1, live.path("Flows").asLong(), live.toString());
        assertEquals(1, live.path("FlowsOpened").asLong(), "a used flow must not expire: " + live);
        String flows = daemon.exec("tapvsock:flows");
        assertTrue(flows.contains(GUEST_IP + ":" + client.ports().get(0) + " -> " + HOST_IP + ":" + echo), flows);

        client.stop(stop);
        JsonNode expired = awaitStats(daemon, stats -> stats.path("UDP").path("Flows").asLong() == 0,
            Duration.ofSeconds(30), "the idle flow expired");
        assertEquals(1, expired.path("UDP").path("FlowsExpired").asLong(), expired.toString());
        assertEquals(0, expired.path("UDP").path("FlowsEvicted").asLong(), expired.toString());
        assertEquals("no UDP flow", daemon.exec("tapvsock:flows").strip());
    }

    /** Over udpMaxFlows, a new flow evicts the least recently used one (a flow used again is kept). */
    @Test
    void udpFlowOverTheCapEvictsTheLeastRecentlyUsed() throws Exception {
        Daemon daemon = udpDaemon(2, 3);
        NsGuest guest = leasedGuest(daemon);
        int echo = harness.hostServers().udpEcho();
        Path stop = harness.workDir().resolve("stop");

        // Flows 0, 1, 2 fill the cap; 0 is used again, so opening 3 must evict 1.
        UdpClient client = startUdpClient(guest, echo, "0,1,2,0,3", "0,2,3", stop);
        JsonNode stats = udpStats(daemon);
        assertEquals(3, stats.path("Flows").asLong(), stats.toString());
        assertEquals(4, stats.path("FlowsOpened").asLong(), stats.toString());
        assertEquals(1, stats.path("FlowsEvicted").asLong(), stats.toString());
        String flows = daemon.exec("tapvsock:flows");
        for (int kept : List.of(0, 2, 3)) {
            assertTrue(flows.contains(GUEST_IP + ":" + client.ports().get(kept) + " -> "), kept + ": " + flows);
        }
        assertFalse(flows.contains(GUEST_IP + ":" + client.ports().get(1) + " -> "), flows);

        client.stop(stop);
        JsonNode expired = awaitStats(daemon, s -> s.path("UDP").path("Flows").asLong() == 0,
            Duration.ofSeconds(30), "the remaining flows expired");
        assertEquals(3, expired.path("UDP").path("FlowsExpired").asLong(), expired.toString());
    }

    /**
     * 200 connects to a destination that never answers are in flight; a connect to a live port still succeeds.
     * The daemon runs in a namespace of its own, where 10.99.0.0/16 is routed into an ifb device that drops
     * everything, so the unanswered SYNs never leave that namespace.
     */
    @Test
    void blackholedConnectsDoNotDelayALiveOne() throws Exception {
        NetNs host = harness.netns();
        host.sh(Duration.ofSeconds(20), "ip link add tvbh0 type ifb && ip link set tvbh0 up"
            + " && ip route add 10.99.0.0/16 dev tvbh0").requireSuccess();
        int livePort = 7007;
        host.start("live-echo", List.of("socat", "TCP-LISTEN:" + livePort + ",bind=127.0.0.1,reuseaddr,fork",
            "EXEC:cat"));
        awaitListening(host, livePort);
        Daemon daemon = harness.register(Daemon.startIn(host, home, harness.workDir().resolve("daemon"),
            List.of("-mtu", "1500")));
        harness.diagnostic("daemon log", () -> Proc.tail(daemon.log(), 12_000));
        NsGuest guest = leasedGuest(daemon);
        Path ready = harness.workDir().resolve("live-done");
        Path go = harness.workDir().resolve("go");

        Process client = guest.ns().start("blackhole", List.of(python, script("blackhole_then_live.py"), "200",
            HOST_IP, Integer.toString(livePort), ready.toString(), go.toString()));
        Path log = guest.ns().logFile("blackhole");
        awaitFile(ready, client, log, Duration.ofSeconds(90));
        JsonNode inFlight = tcpStats(daemon);
        Files.createFile(go);
        String output = Proc.readQuietly(log);

        assertTrue(output.contains("live ok"), "the live connect beside 200 hanging ones: " + output
            + "\n/stats TCP: " + inFlight);
        Matcher pending = Pattern.compile("pending=(\\d+)").matcher(output);
        assertTrue(pending.find(), output);
        assertTrue(Integer.parseInt(pending.group(1)) >= 100, "most blackholed connects were in flight: " + output);
        assertTrue(inFlight.path("PendingConnects").asLong() >= 100, "the daemon had them pending: " + inFlight);
    }

    // ---- helpers

    private NsGuest leasedGuest(Daemon daemon) {
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        return guest;
    }

    /** A daemon from a copy of the distribution whose network configuration sets the UDP flow limits. */
    private Daemon udpDaemon(int idleSeconds, int maxFlows) {
        Path copy = harness.distCopy();
        Path cfg = copy.resolve("config/io.tapvsock.network.cfg");
        CfgFile.set(cfg, "udpFlowIdleSeconds", Integer.toString(idleSeconds));
        CfgFile.set(cfg, "udpMaxFlows", Integer.toString(maxFlows));
        return harness.daemon(copy, List.of("-mtu", "1500"));
    }

    private record UdpClient(Process process, Path log, Map<Integer, Integer> ports) {
        void stop(Path stopFile) throws Exception {
            Files.createFile(stopFile);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "udp client did not stop: " + Proc.readQuietly(log));
            assertEquals(0, process.exitValue(), Proc.readQuietly(log));
        }
    }

    /** Starts udp_flows.py in the guest and waits for its PORTS line (after every step of the sequence). */
    private UdpClient startUdpClient(NsGuest guest, int echo, String sequence, String keep, Path stop) {
        Process process = guest.ns().start("udp", List.of(python, script("udp_flows.py"), HOST_IP,
            Integer.toString(echo), sequence, keep, stop.toString()));
        Path log = guest.ns().logFile("udp");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            String output = Proc.readQuietly(log);
            Matcher line = Pattern.compile("PORTS ([0-9= ]+)\n").matcher(output);
            if (line.find()) {
                Map<Integer, Integer> ports = new HashMap<>();
                for (String pair : line.group(1).strip().split(" ")) {
                    String[] parts = pair.split("=");
                    ports.put(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                }
                return new UdpClient(process, log, ports);
            }
            assertTrue(process.isAlive(), "udp client exited: " + output);
            assertTrue(System.nanoTime() < deadline, "udp client made no PORTS line: " + output);
            sleep(50);
        }
    }

    private static JsonNode tcpStats(Daemon daemon) {
        return daemon.api().getJson("/stats").path("TCP");
    }

    private static JsonNode udpStats(Daemon daemon) {
        return daemon.api().getJson("/stats").path("UDP");
    }

    /** Polls /stats until {@code condition} holds; fails with the last snapshot. */
    private static JsonNode awaitStats(Daemon daemon, Predicate<JsonNode> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode stats = daemon.api().getJson("/stats");
            if (condition.test(stats)) {
                return stats;
            }
            assertTrue(System.nanoTime() < deadline, what + " within " + timeout + "; last /stats: " + stats);
            sleep(200);
        }
    }

    /** Waits for {@code file}; fails with the process's output if it exits first or time runs out. */
    private static void awaitFile(Path file, Process process, Path log, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            assertTrue(process.isAlive() || Files.exists(file), "exited with " + (process.isAlive() ? "?"
                : process.exitValue()) + " before " + file.getFileName() + ": " + Proc.readQuietly(log));
            assertTrue(System.nanoTime() < deadline, "no " + file.getFileName() + " after " + timeout + ": "
                + Proc.readQuietly(log));
            sleep(100);
        }
    }

    private static void awaitListening(NetNs ns, int port) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            Proc.Result listening = ns.exec(Duration.ofSeconds(10), "ss", "-Hltn", "sport = :" + port);
            if (listening.exit() == 0 && !listening.stdout().isBlank()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "nothing listens on " + port + " in " + ns.name());
            sleep(100);
        }
    }

    /** A port of 127.0.0.1 that was just free: bound, then closed, so nothing listens there. */
    private static int closedLoopbackPort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of "key value..." output by their first word. */
    private static Map<String, String[]> keyedLines(String output) {
        Map<String, String[]> lines = new HashMap<>();
        for (String line : output.strip().split("\n")) {
            String[] words = line.strip().split(" ");
            List<String> rest = new ArrayList<>(List.of(words).subList(1, words.length));
            lines.put(words[0], rest.toArray(String[]::new));
        }
        return lines;
    }

    /** Copies a guest program from the test resources into the work directory; returns its path. */
    private String script(String name) {
        Path target = harness.workDir().resolve(name);
        if (!Files.exists(target)) {
            try (InputStream in = TransportLayerTest.class.getResourceAsStream("/transport/" + name)) {
                assertNotNull(in, "missing test resource transport/" + name);
                Files.copy(in, target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return target.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
