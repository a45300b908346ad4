package io.tapvsock.tap;

import java.io.IOException;

/** A task that returns a value or fails with an IOException. */
@FunctionalInterface
public interface IoCallable<T> {
    T call() throws IOException;
}
