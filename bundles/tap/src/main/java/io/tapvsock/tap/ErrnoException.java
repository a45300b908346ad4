package io.tapvsock.tap;

import java.io.IOException;

/**
 * A failed system call: says what failed and why, in the C library's words
 * ("TUNSETIFF tap0: Operation not permitted").
 */
public final class ErrnoException extends IOException {

    private final int errno;

    /** @param what the call and its object, e.g. "TUNSETIFF tap0" */
    public ErrnoException(String what, int errno) {
        super(what + ": " + Libc.strerror(errno));
        this.errno = errno;
    }

    /** The errno value (Linux x86_64 numbering). */
    public int errno() {
        return errno;
    }
}
