package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bad link between a guest and the daemon, in the spirit of {@code tc qdisc ... netem loss 2% reorder 5%
 * duplicate 1% delay 1ms} applied to both directions: a relay on the qemu transport's framing (4-byte length, then
 * the Ethernet frame) that listens on its own unix socket, connects each accepted client to the daemon's qemu
 * socket, and per frame drops, duplicates, delays or lets one jump ahead of the delayed ones (netem's reordering).
 * Decisions come from seeded generators, so a run can be repeated. Frames pass untouched until {@link #impair}
 * is switched on, e.g. after the guest has its DHCP lease. Used where the kernel lacks {@code sch_netem}.
 */
public final class ImpairedLink implements AutoCloseable {
    /** Percentages as netem takes them. */
    public record Profile(double lossPercent, double duplicatePercent, double reorderPercent, long delayMicros) {
        /** netem {@code loss 2% reorder 5% duplicate 1% delay 1ms}. */
        public static Profile netemLike() {
            return new Profile(2, 1, 5, 1000);
        }
    }

    /** What one direction did to the frames it carried. */
    public record Counts(long frames, long dropped, long duplicated, long reordered) {
    }

    /** Marks the end of a direction's queue. */
    private static final byte[] END = new byte[0];

    private final Path socket;
    private final Path target;
    private final Profile profile;
    private final long seed;
    private final ServerSocketChannel server;
    private final Direction toDaemon = new Direction("to-daemon");
    private final Direction toGuest = new Direction("to-guest");
    private final List<SocketChannel> channels = new CopyOnWriteArrayList<>();
    private volatile boolean impair;

    private ImpairedLink(Path socket, Path target, Profile profile, long seed, ServerSocketChannel server) {
        this.socket = socket;
        this.target = target;
        this.profile = profile;
        this.seed = seed;
        this.server = server;
    }

    /** Listens on {@code socket}; every client is relayed to the qemu socket {@code target}. */
    public static ImpairedLink start(Path socket, Path target, Profile profile, long seed) {
        try {
            Files.deleteIfExists(socket);
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            ImpairedLink link = new ImpairedLink(socket, target, profile, seed, server);
            Thread.ofPlatform().daemon().name("impaired-link-accept").start(link::acceptLoop);
            return link;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + socket, e);
        }
    }

    /** The socket a guest connects to instead of the daemon's. */
    public Path socket() {
        return socket;
    }

    /** Switches the impairment on or off; off, frames pass in order without delay. */
    public void impair(boolean on) {
        impair = on;
    }

    /** Frames from the guest toward the daemon. */
    public Counts toDaemon() {
        return toDaemon.counts();
    }

    /** Frames from the daemon toward the guest. */
    public Counts toGuest() {
        return toGuest.counts();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel guest = server.accept();
                channels.add(guest);
                SocketChannel daemon = SocketChannel.open(StandardProtocolFamily.UNIX);
                channels.add(daemon);
                daemon.connect(UnixDomainSocketAddress.of(target));
                relay(guest, daemon, toDaemon, seed);
                relay(daemon, guest, toGuest, seed * 31 + 7);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One direction: a reader that judges each frame and a writer that sends it when it is due. */
    private void relay(SocketChannel from, SocketChannel to, Direction direction, long directionSeed) {
        DelayQueue<Due> queue = new DelayQueue<>();
        SplittableRandom random = new SplittableRandom(directionSeed);
        AtomicLong order = new AtomicLong();
        Thread.ofPlatform().daemon().name("impaired-link-read-" + direction.name).start(() -> {
            QemuWire in = new QemuWire(from);
            try {
                while (true) {
                    byte[] frame = in.receive();
                    direction.frames.incrementAndGet();
                    long now = System.nanoTime();
                    if (!impair) {
                        queue.add(new Due(frame, now, order.getAndIncrement()));
                        continue;
                    }
                    if (random.nextDouble() * 100 < profile.lossPercent()) {
                        direction.dropped.incrementAndGet();
                        continue;
                    }
                    // netem's reordering: most frames wait the delay, a few are sent at once and overtake them.
                    boolean jump = random.nextDouble() * 100 < profile.reorderPercent();
                    long due = jump ? now : now + TimeUnit.MICROSECONDS.toNanos(profile.delayMicros());
                    if (jump) {
                        direction.reordered.incrementAndGet();
                    }
                    queue.add(new Due(frame, due, order.getAndIncrement()));
                    if (random.nextDouble() * 100 < profile.duplicatePercent()) {
                        direction.duplicated.incrementAndGet();
                        queue.add(new Due(frame, due, order.getAndIncrement()));
                    }
                }
            } catch (IOException e) {
                queue.add(new Due(END, System.nanoTime(), Long.MAX_VALUE));
            }
        });
        Thread.ofPlatform().daemon().name("impaired-link-write-" + direction.name).start(() -> {
            QemuWire out = new QemuWire(to);
            try {
                while (true) {
                    Due next = queue.take();
                    if (next.frame() == END) {
                        break;
                    }
                    out.send(next.frame());
                }
            } catch (IOException | InterruptedException e) {
                // the other side went away: fall through and close both
            }
            closeQuietly(from);
            closeQuietly(to);
        });
    }

    /** A frame and the time it may be sent; ties keep arrival order. */
    private record Due(byte[] frame, long dueNanos, long order) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Due that = (Due) other;
            int byTime = Long.compare(dueNanos - that.dueNanos, 0);
            return byTime != 0 ? byTime : Long.compare(order, that.order);
        }
    }

    private static final class Direction {
        final String name;
        final AtomicLong frames = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong reordered = new AtomicLong();

        Direction(String name) {
            this.name = name;
        }

        Counts counts() {
            return new Counts(frames.get(), dropped.get(), duplicated.get(), reordered.get());
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        channels.forEach(ImpairedLink::closeQuietly);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
