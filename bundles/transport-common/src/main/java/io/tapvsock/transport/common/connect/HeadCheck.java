package io.tapvsock.transport.common.connect;

/**
 * What {@link ConnectRequest#check} found in the bytes received so far: a whole, acceptable {@code POST /connect}
 * head, a refusal with its reason, or not enough bytes yet.
 */
public sealed interface HeadCheck {

    /** The head has not ended yet and is still under {@link ConnectRequest#MAX_HEAD} bytes: read more. */
    record Incomplete() implements HeadCheck {
    }

    /**
     * A {@code POST /connect} head the frame stream may follow.
     *
     * @param length the head's bytes from the reader index, its blank line included: the frame stream starts
     *               right after them
     */
    record Accepted(int length) implements HeadCheck {
    }

    /**
     * The connection may not become a frame stream.
     *
     * @param problem the kind, for counters and the status of an HTTP error
     * @param detail  a human-readable reason quoting the offending line, for logs and error bodies
     */
    record Refused(Problem problem, String detail) implements HeadCheck {
    }

    /** Why a head was refused; {@link #key()} is the counter key. */
    enum Problem {
        /** A request line or header line that is not HTTP/1.x syntax (RFC 9112 sections 3 and 5). */
        MALFORMED("malformed"),
        /** A well-formed request for something other than {@code POST /connect}. */
        NOT_CONNECT("not-connect"),
        /** A body is announced: its bytes would be taken for frames (RFC 9112 section 6.3). */
        BODY("body"),
        /** No blank line within {@link ConnectRequest#MAX_HEAD} bytes. */
        TOO_LONG("too-long");

        private final String key;

        Problem(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
