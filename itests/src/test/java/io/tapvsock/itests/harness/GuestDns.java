package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Sends DNS messages from inside a guest namespace to a server on port 53, over UDP or over TCP with the
 * 2-byte length prefix (RFC 1035 §4.2.2), with a small python3 program: the test builds the message (good or
 * deliberately bad) with {@link DnsMessage}, the guest's real Linux stack carries it, and the reply's bytes come
 * back. Busybox's nslookup cannot use TCP or send a broken message, hence this.
 */
public final class GuestDns {
    /** How long the guest waits for one reply: a missing reply must be told from a late one. */
    private static final int WAIT_SECONDS = 10;

    /** The guest program: send one message, print the reply as hex, or TIMEOUT / REFUSED / CLOSED. */
    private static final String PROGRAM = """
        import socket, struct, sys

        server, transport, query, wait = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), float(sys.argv[4])

        def exactly(sock, n):
            data = b''
            while len(data) < n:
                chunk = sock.recv(n - len(data))
                if not chunk:
                    raise EOFError
                data += chunk
            return data

        try:
            if transport == 'udp':
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sock.settimeout(wait)
                sock.connect((server, 53))
                sock.send(query)
                reply = sock.recv(65535)
            else:
                sock = socket.create_connection((server, 53), timeout=wait)
                sock.sendall(struct.pack('!H', len(query)) + query)
                length = struct.unpack('!H', exactly(sock, 2))[0]
                reply = exactly(sock, length)
            print(reply.hex())
        except socket.timeout:
            print('TIMEOUT')
        except ConnectionRefusedError:
            print('REFUSED')
        except EOFError:
            print('CLOSED')
        """;

    /** How a message travels. */
    public enum Transport {
        UDP, TCP
    }

    private final NsGuest guest;
    private final Path program;
    private final String server;

    private GuestDns(NsGuest guest, Path program, String server) {
        this.guest = guest;
        this.program = program;
        this.server = server;
    }

    /** A client in {@code guest} for the DNS server at {@code server}:53; the program goes into {@code dir}. */
    public static GuestDns of(NsGuest guest, Path dir, String server) {
        Require.executable("python3");
        Path program = dir.resolve("guest_dns.py");
        try {
            Files.writeString(program, PROGRAM, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new GuestDns(guest, program, server);
    }

    /**
     * Sends {@code message} and returns the reply's bytes, or empty when none came within the wait (or the
     * TCP connection closed without one).
     */
    public Optional<byte[]> send(Transport transport, byte[] message) {
        Proc.Result result = guest.ns().exec(Duration.ofSeconds(WAIT_SECONDS + 20), "python3", program.toString(),
            server, transport.name().toLowerCase(Locale.ROOT), HexFormat.of().formatHex(message),
            Integer.toString(WAIT_SECONDS)).requireSuccess();
        String out = result.stdout().strip();
        if (out.equals("TIMEOUT") || out.equals("CLOSED")) {
            return Optional.empty();
        }
        if (out.equals("REFUSED")) {
            throw new AssertionError("DNS over " + transport + " to " + server + ":53 refused: " + result.describe());
        }
        try {
            return Optional.of(HexFormat.of().parseHex(out));
        } catch (IllegalArgumentException e) {
            throw new AssertionError("the guest's DNS program printed no reply: " + result.describe(), e);
        }
    }

    /** Sends {@code query} and parses the reply, which must come and must answer it (same ID, QR set). */
    public DnsMessage ask(Transport transport, DnsMessage query) {
        byte[] reply = send(transport, query.encode()).orElseThrow(() -> new AssertionError(
            "no DNS reply over " + transport + " to " + query.questions()));
        DnsMessage parsed = DnsMessage.parse(reply);
        if (parsed.id() != query.id() || !parsed.isResponse()) {
            throw new AssertionError("not a reply to query " + query.id() + ": " + parsed);
        }
        return parsed;
    }
}
