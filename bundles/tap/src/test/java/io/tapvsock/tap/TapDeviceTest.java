package io.tapvsock.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TapDevice against the real kernel, always inside a namespace made for the test (the setns path). */
class TapDeviceTest {

    private static final byte[] TAP_MAC = TapConfig.parseMac("02:11:22:33:44:55");
    private static final byte[] PEER_MAC = TapConfig.parseMac("02:00:00:00:00:02");
    private static final byte[] TAP_IP = {10, 99, 0, 1};
    private static final byte[] PEER_IP = {10, 99, 0, 2};

    private TestNamespace namespace;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void createNamespace() throws Exception {
        namespace = TestNamespace.create();
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        watchdog.shutdownNow();
        namespace.close();
    }

    private TapConfig configured() {
        return TapConfig.named("tap0").inNamespace(namespace.path()).withMac(TAP_MAC).withMtu(1400).up(true);
    }

    @Test
    void open_inNamespace_setsMacMtuUpThere_andLeavesCallerWhereItWas() throws Exception {
        Path before = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
        try (TapDevice tap = TapDevice.open(configured())) {
            assertEquals(before, Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")));
            assertEquals("tap0", tap.name());
            assertTrue(tap.fd() >= 0);
            String link = namespace.ip("link", "show", "tap0");
            assertTrue(link.contains("mtu 1400"), link);
            assertTrue(link.contains("link/ether 02:11:22:33:44:55"), link);
            assertTrue(Pattern.compile("[<,]UP[,>]").matcher(link).find(), link);
        }
        // A TAP this process created goes away with its fd.
        assertFalse(namespace.ipOutput("link", "show").contains("tap0"));
    }

    @Test
    void kernelArpRequest_isRead_andArpReplyWritten_landsInNeighbourTable() throws Exception {
        try (TapDevice tap = TapDevice.open(configured()); Arena arena = Arena.ofConfined()) {
            watchdog.schedule(tap::close, 60, TimeUnit.SECONDS); // a read that never returns fails the test
            namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
            namespace.startInside("busybox", "ping", "-c", "30", "10.99.0.2");

            ByteBuffer frame = ByteBuffer.allocateDirect(2048);
            int length;
            do {
                frame.clear();
                length = tap.read(frame);
                assertEquals(length, frame.position());
            } while (!ArpFrames.isRequestFor(frame, 0, length, PEER_IP));
            assertArrayEquals(TAP_MAC, ArpFrames.senderMac(frame, 0));

            MemorySegment reply = arena.allocate(2048);
            MemorySegment.copy(ArpFrames.reply(PEER_MAC, PEER_IP, TAP_MAC, TAP_IP), 0, reply,
                    java.lang.foreign.ValueLayout.JAVA_BYTE, 0, ArpFrames.LENGTH);
            tap.write(reply, ArpFrames.LENGTH);

            String neighbour = "";
            for (int attempt = 0; attempt < 100 && !neighbour.contains("lladdr 02:00:00:00:00:02"); attempt++) {
                Thread.sleep(100);
                neighbour = namespace.ip("neigh", "show", "10.99.0.2");
            }
            assertTrue(neighbour.contains("lladdr 02:00:00:00:00:02"), neighbour);

            // With the neighbour known, the kernel's pings come through as IPv4 to the peer's MAC.
            ByteBuffer segmentView = reply.asByteBuffer();
            do {
                length = tap.read(reply);
            } while (segmentView.getShort(12) != 0x0800);
            byte[] destination = new byte[6];
            segmentView.get(0, destination);
            assertArrayEquals(PEER_MAC, destination);
        }
    }

    @Test
    void offload_givesTheInterfaceTsoAndTxChecksum_withoutItNeither() throws Exception {
        try (TapDevice plain = TapDevice.open(TapConfig.named("plain0").inNamespace(namespace.path()));
                TapDevice offloaded = TapDevice.open(configured().offload(true))) {
            assertFalse(plain.offload());
            assertTrue(offloaded.offload());
            assertTrue(offloaded.toString().contains("(offload)"), offloaded.toString());
            assertEquals(0, ethtoolValue("plain0", Ethtool.ETHTOOL_GTSO));
            assertEquals(0, ethtoolValue("plain0", Ethtool.ETHTOOL_GTXCSUM));
            assertEquals(1, ethtoolValue("tap0", Ethtool.ETHTOOL_GTSO));
            assertEquals(1, ethtoolValue("tap0", Ethtool.ETHTOOL_GTXCSUM));
        }
    }

    @Test
    void offload_everyReadAndWriteStartsWithTheVirtioNetHeader() throws Exception {
        try (TapDevice tap = TapDevice.open(configured().offload(true))) {
            watchdog.schedule(tap::close, 60, TimeUnit.SECONDS);
            namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
            namespace.startInside("busybox", "ping", "-c", "30", "10.99.0.2");

            int header = TapDevice.VNET_HEADER_LENGTH;
            ByteBuffer frame = ByteBuffer.allocateDirect(header + 65535 + 18);
            int length;
            do {
                frame.clear();
                length = tap.read(frame);
            } while (!ArpFrames.isRequestFor(frame, header, length - header, PEER_IP));
            // An ARP request has nothing to offload: flags 0, gso_type NONE.
            for (int i = 0; i < header; i++) {
                assertEquals(0, frame.get(i), "virtio-net header byte " + i);
            }
            assertArrayEquals(TAP_MAC, ArpFrames.senderMac(frame, header));

            // A write is a header (all zero: complete frame, no segmentation) followed by the frame.
            ByteBuffer reply = ByteBuffer.allocateDirect(header + ArpFrames.LENGTH);
            reply.position(header).put(ArpFrames.reply(PEER_MAC, PEER_IP, TAP_MAC, TAP_IP)).flip();
            tap.write(reply);

            String neighbour = "";
            for (int attempt = 0; attempt < 100 && !neighbour.contains("lladdr 02:00:00:00:00:02"); attempt++) {
                Thread.sleep(100);
                neighbour = namespace.ip("neigh", "show", "10.99.0.2");
            }
            assertTrue(neighbour.contains("lladdr 02:00:00:00:00:02"), neighbour);
        }
    }

    /** What {@code ethtool -k} shows for one feature (1 on, 0 off), asked in the test's namespace. */
    private int ethtoolValue(String iface, int command) throws Exception {
        return Ethtool.value(namespace.path(), iface, command);
    }

    @Test
    void setOffload_turnsTheFeaturesOffAndOnAgain_theHeaderStays() throws Exception {
        try (TapDevice tap = TapDevice.open(configured().offload(true))) {
            tap.setOffload(false);
            assertEquals(0, ethtoolValue("tap0", Ethtool.ETHTOOL_GTSO));
            assertEquals(0, ethtoolValue("tap0", Ethtool.ETHTOOL_GTXCSUM));
            assertTrue(tap.offload());
            tap.setOffload(true);
            assertEquals(1, ethtoolValue("tap0", Ethtool.ETHTOOL_GTSO));
            assertEquals(1, ethtoolValue("tap0", Ethtool.ETHTOOL_GTXCSUM));
        }
        try (TapDevice plain = TapDevice.open(configured())) {
            assertThrows(IllegalStateException.class, () -> plain.setOffload(true));
        }
    }

    @Test
    void mac_isTheConfiguredOne_orTheKernels() throws Exception {
        try (TapDevice tap = TapDevice.open(configured());
                TapDevice other = TapDevice.open(TapConfig.named("other0").inNamespace(namespace.path()))) {
            assertArrayEquals(TAP_MAC, tap.mac());
            String link = namespace.ip("link", "show", "other0");
            String kernels = HexFormat.ofDelimiter(":").formatHex(other.mac());
            assertTrue(link.contains("link/ether " + kernels), link + " vs " + kernels);
        }
    }

    @Test
    void readNowAndPoll_seeNothingOnASilentTap_thenTheFrameTheKernelSends() throws Exception {
        try (TapDevice tap = TapDevice.open(configured().up(false))) {
            watchdog.schedule(tap::close, 60, TimeUnit.SECONDS);
            ByteBuffer frame = ByteBuffer.allocateDirect(2048);
            int other = Libc.eventfd(0, Libc.EFD_CLOEXEC);
            assertTrue(other >= 0);
            try {
                // The link is down: the kernel sends nothing.
                assertEquals(-1, tap.readNow(frame.clear()), "no frame queued: -1, at once");
                assertEquals(0, frame.position());
                assertEquals(0, tap.poll(true, other, TapDevice.POLLIN, 0), "nothing ready");

                MemorySegment one = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
                one.set(ValueLayout.JAVA_LONG, 0, 1L);
                assertEquals(Long.BYTES, Libc.write(other, one.address(), Long.BYTES));
                assertEquals(TapDevice.POLLIN << 16, tap.poll(true, other, TapDevice.POLLIN, 0),
                        "the other fd readable, the TAP not");

                namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
                namespace.ip("link", "set", "tap0", "up");
                namespace.startInside("busybox", "ping", "-c", "30", "10.99.0.2");
                assertEquals(TapDevice.TAP_READABLE, tap.poll(true, -1, (short) 0, 30_000), "the ARP request");
                int length = tap.readNow(frame.clear());
                assertTrue(length >= 42, "a whole frame: " + length);
                assertEquals(length, frame.position());
                assertEquals(0, tap.poll(false, -1, (short) 0, 0), "the TAP is not asked about");
            } finally {
                Libc.close(other);
            }
        }
    }

    @Test
    void close_wakesPoll() throws Exception {
        TapDevice tap = TapDevice.open(TapConfig.named("tap0").inNamespace(namespace.path()));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread poller = Thread.ofPlatform().start(() -> {
            try {
                tap.poll(true, -1, (short) 0, -1); // the link is down: nothing ever arrives
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread.sleep(100);
        tap.close();
        poller.join();
        assertInstanceOf(ClosedChannelException.class, failure.get());
        assertThrows(ClosedChannelException.class, () -> tap.readNow(ByteBuffer.allocateDirect(2048)));
    }

    @Test
    void close_wakesBlockedReader() throws Exception {
        TapDevice tap = TapDevice.open(TapConfig.named("tap0").inNamespace(namespace.path()));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                tap.read(ByteBuffer.allocateDirect(2048)); // the link is down: nothing ever arrives
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        tap.close();
        reader.join();
        assertInstanceOf(ClosedChannelException.class, failure.get());
        assertFalse(tap.isOpen());
        tap.close(); // idempotent
    }

    @Test
    void preexisting_attachesToPersistentTap() throws Exception {
        namespace.ip("tuntap", "add", "mode", "tap", "name", "tvpre0");
        try (TapDevice tap = TapDevice.open(TapConfig.named("tvpre0").inNamespace(namespace.path())
                .preexisting(true).up(true))) {
            assertEquals("tvpre0", tap.name());
            assertTrue(namespace.ip("link", "show", "tvpre0").contains("UP"));
        }
        // persistent: still there after close
        assertTrue(namespace.ip("link", "show", "tvpre0").contains("tvpre0"));
    }

    @Test
    void preexisting_missingInterface_failsWithErrnoText() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> TapDevice.open(
                TapConfig.named("tvmissing0").inNamespace(namespace.path()).preexisting(true)));
        assertEquals("preexisting TAP tvmissing0: No such device", e.getMessage());
        assertEquals(19, e.errno());
    }

    @Test
    void missingNamespace_failsNamingThePath() {
        Path nowhere = Path.of("/var/run/netns", namespace.name() + "-absent");
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> TapDevice.open(TapConfig.named("tap0").inNamespace(nowhere)));
        assertEquals("open network namespace " + nowhere + ": No such file or directory", e.getMessage());
    }

    @Test
    void tunsetiff_onNonTapInterface_failsNamingTheCall() throws Exception {
        // lo exists and is not a TUN/TAP: the kernel refuses to attach it.
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> TapDevice.open(TapConfig.named("lo").inNamespace(namespace.path())));
        assertTrue(e.getMessage().startsWith("TUNSETIFF lo: "), e.getMessage());
    }

    @Test
    void networkNamespace_hasInterface_looksInCallersNamespace() throws Exception {
        assertTrue(NetworkNamespace.call(namespace.path(), () -> NetworkNamespace.hasInterface("lo")));
        assertFalse(NetworkNamespace.call(namespace.path(), () -> NetworkNamespace.hasInterface("tap0")));
    }
}
