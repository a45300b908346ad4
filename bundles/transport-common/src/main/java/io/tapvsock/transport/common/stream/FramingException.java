package io.tapvsock.transport.common.stream;

import io.netty.handler.codec.DecoderException;

/** The peer broke the stream's framing; the connection is closed and {@link #reason()} is counted. */
public final class FramingException extends DecoderException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public FramingException(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    /** A short counter key, e.g. "bad-length-zero". */
    public String reason() {
        return reason;
    }
}
