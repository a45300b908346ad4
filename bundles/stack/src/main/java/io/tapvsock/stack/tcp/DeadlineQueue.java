package io.tapvsock.stack.tcp;

import java.util.Arrays;

/**
 * Connections ordered by their next deadline: an indexed binary min-heap, so that a timer wakeup touches only the
 * connections that are due (a sweep over every connection costs O(connections) per wakeup, and with thousands in
 * TIME-WAIT or keepalive that is most of the loop's time). Each entry keeps its own heap slot, which makes
 * moving or removing it O(log n). Network loop only.
 */
final class DeadlineQueue<T> {

    /** The queue's handle on one owner: its slot and deadline, for the queue's use only. */
    static final class Entry<T> {
        final T owner;
        private int queueIndex = -1;
        private long queueDeadline;

        Entry(T owner) {
            this.owner = owner;
        }

        boolean queued() {
            return queueIndex >= 0;
        }
    }

    @SuppressWarnings("unchecked")
    private Entry<T>[] heap = new Entry[64];
    private int size;

    int size() {
        return size;
    }

    /** The earliest deadline, or {@code empty} when nothing is queued. */
    long earliest(long empty) {
        return size == 0 ? empty : heap[0].queueDeadline;
    }

    /** Queues the entry at {@code deadline}, or moves it there when it is queued already. */
    void schedule(Entry<T> entry, long deadline) {
        if (entry.queueIndex < 0) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            entry.queueDeadline = deadline;
            entry.queueIndex = size;
            heap[size++] = entry;
            siftUp(entry.queueIndex);
            return;
        }
        long previous = entry.queueDeadline;
        entry.queueDeadline = deadline;
        if (deadline < previous) {
            siftUp(entry.queueIndex);
        } else if (deadline > previous) {
            siftDown(entry.queueIndex);
        }
    }

    /** Takes the entry out of the queue; nothing when it is not queued. */
    void remove(Entry<T> entry) {
        int i = entry.queueIndex;
        if (i < 0) {
            return;
        }
        entry.queueIndex = -1;
        Entry<T> last = heap[--size];
        heap[size] = null;
        if (i == size) {
            return;
        }
        heap[i] = last;
        last.queueIndex = i;
        siftDown(i);
        siftUp(last.queueIndex);
    }

    /** Removes and returns the owner of the earliest entry when its deadline is at or before {@code now}, else null. */
    T pollDue(long now) {
        if (size == 0 || heap[0].queueDeadline > now) {
            return null;
        }
        Entry<T> first = heap[0];
        remove(first);
        return first.owner;
    }

    private void siftUp(int i) {
        Entry<T> entry = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent].queueDeadline <= entry.queueDeadline) {
                break;
            }
            place(heap[parent], i);
            i = parent;
        }
        place(entry, i);
    }

    private void siftDown(int i) {
        Entry<T> entry = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].queueDeadline < heap[child].queueDeadline) {
                child = right;
            }
            if (entry.queueDeadline <= heap[child].queueDeadline) {
                break;
            }
            place(heap[child], i);
            i = child;
        }
        place(entry, i);
    }

    private void place(Entry<T> entry, int i) {
        heap[i] = entry;
        entry.queueIndex = i;
    }
}
