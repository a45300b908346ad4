package io.tapvsock.itests;

import static io.tapvsock.itests.harness.Frames.ETHERTYPE_ARP;
import static io.tapvsock.itests.harness.Frames.ETHERTYPE_IPV4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.Frames;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gvproxy's {@code -listen-stdio accept} as WSL's forwarder drives it (compat.md section 8): the daemon on pipes,
 * hyperkit framing (2-byte little-endian length) both ways, nothing but frames on stdout, and exit status 0
 * once stdin ends.
 */
class StdioTransportTest {
    private static final byte[] GUEST_MAC = Frames.mac("5a:94:ef:e4:0c:ee");
    private static final byte[] GUEST_IP = Frames.ipv4("192.168.127.2");
    private static final byte[] GATEWAY_IP = Frames.ipv4("192.168.127.1");

    @RegisterExtension
    final Harness harness = new Harness();

    private static void send(OutputStream stdin, byte[] frame) throws IOException {
        stdin.write(new byte[] {(byte) frame.length, (byte) (frame.length >>> 8)});
        stdin.write(frame);
        stdin.flush();
    }

    /** The next frame of this EtherType for the guest; every frame on the way must be a whole frame from the gateway. */
    private static byte[] receive(DataInputStream stdout, int etherType) throws IOException {
        while (true) {
            int length = stdout.readUnsignedByte() | stdout.readUnsignedByte() << 8;
            assertTrue(length >= 14 && length <= 1514, "a frame length, not log text on stdout: " + length);
            byte[] frame = new byte[length];
            stdout.readFully(frame);
            assertArrayEquals(Frames.GATEWAY_MAC, Arrays.copyOfRange(frame, 6, 12), "only the gateway talks here");
            if (Frames.etherType(frame) == etherType && Arrays.equals(frame, 0, 6, GUEST_MAC, 0, 6)) {
                return frame;
            }
        }
    }

    @Test
    @Timeout(240)
    void framesOnStdinAndStdoutThenExitZeroAtTheEndOfStdin() throws Exception {
        Path home = Require.dist();
        Path stderr = harness.workDir().resolve("stderr.txt");
        harness.diagnostic("daemon stderr", () -> {
            try {
                return Files.exists(stderr) ? Files.readString(stderr) : "(none)";
            } catch (IOException e) {
                return e.toString();
            }
        });
        // wsl-vpnkit's and WSL gvforwarder's way of passing flags: -k=v, booleans as 0/1.
        Process daemon = new ProcessBuilder(home.resolve("bin/gvproxy").toString(), "-listen-stdio=accept",
                "-ssh-port=-1", "-debug=0", "-pid-file", harness.workDir().resolve("gvproxy.pid").toString())
                .redirectError(stderr.toFile()).start();
        try (OutputStream stdin = daemon.getOutputStream();
                DataInputStream stdout = new DataInputStream(daemon.getInputStream())) {
            // Sent before the daemon is ready: the pipe holds them until the stdio link reads.
            send(stdin, Frames.arpRequest(Frames.BROADCAST, GUEST_MAC, GUEST_IP, GATEWAY_IP));
            byte[] arp = receive(stdout, ETHERTYPE_ARP);
            assertTrue(Frames.isArpReplyTo(arp, GUEST_MAC), "an ARP reply from the gateway");

            byte[] echo = Frames.ipv4Packet(GUEST_IP, GATEWAY_IP, 1,
                    Frames.icmpEcho(0x4242, 1, "tapvsock stdio".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            send(stdin, Frames.ethernet(Frames.GATEWAY_MAC, GUEST_MAC, ETHERTYPE_IPV4, echo));
            byte[] reply = receive(stdout, ETHERTYPE_IPV4);
            assertEquals(1, reply[14 + 9], "ICMP");
            assertEquals(0, reply[14 + 20], "echo reply");
            assertArrayEquals(GUEST_IP, Arrays.copyOfRange(reply, 14 + 16, 14 + 20), "to the guest");
        } // closing stdin: the end of the guest's link
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon exits once stdin ends");
        assertEquals(0, daemon.exitValue(), "exit status at the end of stdin");
        assertTrue(Files.notExists(harness.workDir().resolve("gvproxy.pid")), "the pid file is removed");
        String log = Files.readString(stderr);
        assertTrue(log.contains("stdio"), "the log went to stderr: " + Proc.tail(log, 2000));
    }
}
