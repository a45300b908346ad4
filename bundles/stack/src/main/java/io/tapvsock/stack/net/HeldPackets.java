package io.tapvsock.stack.net;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayDeque;

/**
 * Packets for a guest address whose MAC is not known yet, held while ARP asks for it (RFC 1122 §2.3.2.2: save at
 * least the latest packet for an unresolved address), so that the first datagram of a forward into a guest that
 * has not spoken yet is not lost. Bounded: {@link #PER_ADDRESS} per address (the oldest goes first) and
 * {@link #MAX_ADDRESSES} addresses (a new one pushes out another's packets). Network loop only.
 */
final class HeldPackets {

    static final int PER_ADDRESS = 3;
    static final int MAX_ADDRESSES = 64;

    /** @param l4 owned by the holder until sent or released */
    record Held(int source, int protocol, ByteBuf l4) {
    }

    private final IntObjectMap<ArrayDeque<Held>> byDestination = new IntObjectHashMap<>();
    private long dropped;

    boolean isEmpty() {
        return byDestination.isEmpty();
    }

    /** @param l4 transferred: callee releases */
    void hold(int source, int destination, int protocol, ByteBuf l4) {
        ArrayDeque<Held> queue = byDestination.get(destination);
        if (queue == null) {
            if (byDestination.size() >= MAX_ADDRESSES) {
                int evicted = byDestination.keySet().iterator().next();
                release(byDestination.remove(evicted));
            }
            queue = new ArrayDeque<>(PER_ADDRESS);
            byDestination.put(destination, queue);
        } else if (queue.size() >= PER_ADDRESS) {
            queue.removeFirst().l4().release();
            dropped++;
        }
        queue.addLast(new Held(source, protocol, l4));
    }

    /** The packets held for {@code destination}, now the caller's (it sends or releases them); null when none. */
    ArrayDeque<Held> take(int destination) {
        return byDestination.remove(destination);
    }

    /** Packets given up without being sent: pushed out by newer ones. */
    long dropped() {
        return dropped;
    }

    void clear() {
        for (ArrayDeque<Held> queue : byDestination.values()) {
            release(queue);
        }
        byDestination.clear();
    }

    private void release(ArrayDeque<Held> queue) {
        for (Held held : queue) {
            held.l4().release();
            dropped++;
        }
    }
}
