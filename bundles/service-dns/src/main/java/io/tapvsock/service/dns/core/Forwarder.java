package io.tapvsock.service.dns.core;

import io.netty.buffer.ByteBuf;

/** Relays a query to an upstream resolver. Network loop only; the callback runs there too, exactly once. */
public interface Forwarder {

    /** How a forward ended without an answer. */
    enum Failure {
        /** Every attempt timed out or was refused. */
        NO_ANSWER,
        /** Too many queries in flight. */
        BUSY,
        /** No upstream server is known (empty configuration and no nameserver in resolv.conf). */
        NO_SERVERS,
        /** The forwarder was closed while the query was in flight. */
        CLOSED
    }

    /** Where the result of one forward goes. */
    interface Callback {

        /**
         * The upstream's answer, its ID already the guest's again.
         *
         * @param answer transferred: callee releases
         */
        void answered(ByteBuf answer);

        void failed(Failure failure);
    }

    /**
     * Sends a guest's query upstream unchanged but for its ID.
     *
     * @param query borrowed: not retained after return; a whole, already checked DNS query
     */
    void forward(ByteBuf query, Callback callback);
}
