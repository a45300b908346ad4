package io.tapvsock.stack.net;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.stack.link.SwitchPort;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * IPv4 address to (MAC, port) of the guests on the switch, learned from ARP (RFC 826: the sender pair of every
 * request and reply) and from the source of every IPv4 datagram a guest sends. Bounded: a guest that sprays
 * source addresses cannot grow it past {@link #CAPACITY}. Network loop only.
 */
public final class NeighbourTable {

    /** Entries beyond this are not learned (counted as "neighbour-table-full"). */
    public static final int CAPACITY = 4096;

    /** Mutable so that relearning the same pair allocates nothing. */
    private static final class Neighbour {
        long mac;
        SwitchPort port;
    }

    private final IntObjectMap<Neighbour> table = new IntObjectHashMap<>();
    private long notLearned;
    private IntConsumer learned = address -> { };

    /** Told every address learned or relearned (the IPv4 output sends what it held for it). */
    public void onLearned(IntConsumer listener) {
        this.learned = listener;
    }

    /** Records that {@code ip} is at {@code mac} behind {@code port}. False when the table is full. */
    public boolean learn(int ip, long mac, SwitchPort port) {
        Neighbour neighbour = table.get(ip);
        if (neighbour == null) {
            if (table.size() >= CAPACITY) {
                notLearned++;
                return false;
            }
            neighbour = new Neighbour();
            table.put(ip, neighbour);
        }
        neighbour.mac = mac;
        neighbour.port = port;
        learned.accept(ip);
        return true;
    }

    /** The MAC of {@code ip}, or -1 when unknown. */
    public long macOf(int ip) {
        Neighbour neighbour = table.get(ip);
        return neighbour == null ? -1 : neighbour.mac;
    }

    /** Forgets every entry learned through {@code port}. */
    public void forget(SwitchPort port) {
        table.values().removeIf(neighbour -> neighbour.port == port);
    }

    public void clear() {
        table.clear();
    }

    public int size() {
        return table.size();
    }

    public long notLearned() {
        return notLearned;
    }

    /** IP to "mac port-id", sorted by address. */
    public Map<Ipv4Address, String> entries() {
        Map<Ipv4Address, String> entries = new TreeMap<>();
        for (IntObjectMap.PrimitiveEntry<Neighbour> entry : table.entries()) {
            Neighbour neighbour = entry.value();
            entries.put(new Ipv4Address(entry.key()), new MacAddress(neighbour.mac) + " port " + neighbour.port.id());
        }
        return entries;
    }
}
