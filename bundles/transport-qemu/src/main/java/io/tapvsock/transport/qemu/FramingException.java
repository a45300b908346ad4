package io.tapvsock.transport.qemu;

import io.netty.handler.codec.DecoderException;

/** The guest broke the length-prefixed framing; the connection is closed and {@link #reason()} is counted. */
final class FramingException extends DecoderException {

    private final String reason;

    FramingException(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    /** A short counter key, e.g. "bad-length-zero". */
    String reason() {
        return reason;
    }
}
