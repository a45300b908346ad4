package io.tapvsock.stack.wire;

/**
 * TCP sequence number arithmetic on plain ints (no boxing): sequence space wraps at 2^32, so two numbers compare
 * by the sign of their wrapping difference (RFC 9293 §3.4, RFC 1982). Every sequence comparison in the stack
 * goes through here; raw {@code <} or {@code >} on sequence numbers is a bug.
 */
public final class SeqNum {

    private SeqNum() {
    }

    /** {@code seq + n}, wrapping. */
    public static int add(int seq, int n) {
        return seq + n;
    }

    /** The signed distance {@code a - b}; meaningful while the two are less than 2^31 apart. */
    public static int diff(int a, int b) {
        return a - b;
    }

    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** The earlier of two sequence numbers. */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /** {@code start <= seq < start + length}, wrapping; an empty window holds nothing. */
    public static boolean inWindow(int seq, int start, int length) {
        return Integer.compareUnsigned(seq - start, length) < 0;
    }

    /** {@code low <= seq <= high}, wrapping. */
    public static boolean between(int seq, int low, int high) {
        return Integer.compareUnsigned(seq - low, high - low) <= 0;
    }
}
