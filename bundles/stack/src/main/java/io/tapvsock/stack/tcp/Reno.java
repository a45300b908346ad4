package io.tapvsock.stack.tcp;

/**
 * Reno congestion control (RFC 5681 §3.1-3.2) tuned for a local link: the window starts unlimited, since the
 * guest is one virtual hop away and its receive window is the real limit, and only shrinks after a loss.
 */
final class Reno implements CongestionControl {

    private int cwnd = Integer.MAX_VALUE;
    private int ssthresh = Integer.MAX_VALUE;

    @Override
    public int window() {
        return cwnd;
    }

    @Override
    public void onAck(int ackedBytes, int mss) {
        if (cwnd == Integer.MAX_VALUE) {
            return;
        }
        long grown;
        if (cwnd < ssthresh) {
            grown = (long) cwnd + Math.min(ackedBytes, mss); // slow start (RFC 5681 eq. 2)
        } else {
            grown = (long) cwnd + Math.max(1, (long) mss * mss / cwnd); // congestion avoidance (eq. 3)
        }
        cwnd = (int) Math.min(Integer.MAX_VALUE - 1, grown);
    }

    @Override
    public void onTimeout(int flight, int mss) {
        ssthresh = Math.max(flight / 2, 2 * mss);
        cwnd = mss;
    }

    @Override
    public void onFastRetransmit(int flight, int mss) {
        ssthresh = Math.max(flight / 2, 2 * mss);
        cwnd = ssthresh;
    }
}
