package io.tapvsock.http;

/**
 * A dynamic service an endpoint hands connections to (FrameStreams for /connect, TunnelStreams for /tunnel),
 * when a bundle provides it; it may come and go.
 */
final class ServiceHolder<T> {

    private volatile T current;

    T get() {
        return current;
    }

    void set(T service) {
        current = service;
    }

    /** Forgets {@code service} unless another one replaced it meanwhile. */
    void clear(T service) {
        if (current == service) {
            current = null;
        }
    }
}
