package io.tapvsock.http;

import io.tapvsock.api.FrameStreams;

/** The FrameStreams service when a transport that serves /connect is installed; it may come and go. */
final class FrameStreamsHolder {

    private volatile FrameStreams current;

    FrameStreams get() {
        return current;
    }

    void set(FrameStreams frameStreams) {
        current = frameStreams;
    }

    /** Forgets {@code frameStreams} unless another one replaced it meanwhile. */
    void clear(FrameStreams frameStreams) {
        if (current == frameStreams) {
            current = null;
        }
    }
}
