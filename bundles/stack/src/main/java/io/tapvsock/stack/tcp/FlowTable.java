package io.tapvsock.stack.tcp;

import java.util.ArrayList;
import java.util.List;

/**
 * Connections by 4-tuple without boxing: open addressing with linear probing over primitive key arrays, deletion
 * by backward shift (no tombstones). The key is two primitives: the guest and destination addresses in a long,
 * the two ports in an int. Network loop only.
 *
 * @param <V> the value per flow
 */
final class FlowTable<V> {

    private long[] addresses;
    private int[] ports;
    private Object[] values;
    private int size;
    private int mask;

    FlowTable() {
        allocate(64);
    }

    static long addresses(int guestIp, int destinationIp) {
        return ((guestIp & 0xFFFF_FFFFL) << 32) | (destinationIp & 0xFFFF_FFFFL);
    }

    static int ports(int guestPort, int destinationPort) {
        return (guestPort << 16) | (destinationPort & 0xFFFF);
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(long addressKey, int portKey) {
        for (int i = slot(addressKey, portKey); values[i] != null; i = (i + 1) & mask) {
            if (addresses[i] == addressKey && ports[i] == portKey) {
                return (V) values[i];
            }
        }
        return null;
    }

    /** Adds or replaces the value of a key. */
    void put(long addressKey, int portKey, V value) {
        if ((size + 1) * 2 > values.length) {
            grow();
        }
        int i = slot(addressKey, portKey);
        while (values[i] != null) {
            if (addresses[i] == addressKey && ports[i] == portKey) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        addresses[i] = addressKey;
        ports[i] = portKey;
        values[i] = value;
        size++;
    }

    /** Removes the key when it maps to {@code value}; true if it did. */
    boolean remove(long addressKey, int portKey, V value) {
        int i = slot(addressKey, portKey);
        while (values[i] != null) {
            if (addresses[i] == addressKey && ports[i] == portKey) {
                if (values[i] != value) {
                    return false;
                }
                deleteAt(i);
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    /** A snapshot of the values, for timer sweeps and shutdown (the table may change while they run). */
    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (Object value : values) {
            if (value != null) {
                out.add((V) value);
            }
        }
        return out;
    }

    private void deleteAt(int hole) {
        values[hole] = null;
        size--;
        // Backward shift: move later entries of the run into the hole when their home slot allows it.
        int i = (hole + 1) & mask;
        while (values[i] != null) {
            int home = slot(addresses[i], ports[i]);
            boolean movable = ((i - home) & mask) >= ((i - hole) & mask);
            if (movable) {
                addresses[hole] = addresses[i];
                ports[hole] = ports[i];
                values[hole] = values[i];
                values[i] = null;
                hole = i;
            }
            i = (i + 1) & mask;
        }
    }

    private int slot(long addressKey, int portKey) {
        long h = addressKey * 0x9E37_79B9_7F4A_7C15L + portKey * 0xC2B2_AE3D_27D4_EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58_476D_1CE4_E5B9L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldAddresses = addresses;
        int[] oldPorts = ports;
        Object[] oldValues = values;
        allocate(oldValues.length * 2);
        size = 0;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                @SuppressWarnings("unchecked")
                V value = (V) oldValues[i];
                put(oldAddresses[i], oldPorts[i], value);
            }
        }
    }

    private void allocate(int capacity) {
        addresses = new long[capacity];
        ports = new int[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
    }
}
