package io.tapvsock.stack.tcp;

/**
 * How much unacknowledged data the sender may have in flight beyond what the guest's window allows (RFC 5681).
 * Sizes are bytes. One instance per connection; network loop only.
 */
interface CongestionControl {

    /** The congestion window. */
    int window();

    /** New data was acknowledged. */
    void onAck(int ackedBytes, int mss);

    /** The retransmission timer fired with {@code flight} bytes outstanding (RFC 5681 §3.1, eq. 4). */
    void onTimeout(int flight, int mss);

    /** Three duplicate ACKs started a fast retransmit (RFC 5681 §3.2). */
    void onFastRetransmit(int flight, int mss);
}
