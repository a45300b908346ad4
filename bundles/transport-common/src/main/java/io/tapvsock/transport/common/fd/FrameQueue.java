package io.tapvsock.transport.common.fd;

import io.netty.buffer.ByteBuf;

/**
 * Frames waiting for a file descriptor, first in first out, each with an int that says how to write it (the sink's
 * segmentation mark). Two parallel ring arrays that grow by doubling: no object per frame. Not thread-safe.
 */
public final class FrameQueue {

    private ByteBuf[] frames = new ByteBuf[16];
    private int[] marks = new int[16];
    private int head;
    private int size;

    public boolean isEmpty() {
        return size == 0;
    }

    /** @param frame transferred: the queue holds it until {@link #poll} hands it back */
    public void add(ByteBuf frame, int mark) {
        if (size == frames.length) {
            grow();
        }
        int tail = (head + size) & (frames.length - 1);
        frames[tail] = frame;
        marks[tail] = mark;
        size++;
    }

    /** The oldest frame, still queued; null when empty. Borrowed: not retained after return. */
    public ByteBuf peek() {
        return size == 0 ? null : frames[head];
    }

    /** The oldest frame's mark; only when not empty. */
    public int peekMark() {
        return marks[head];
    }

    /** Removes the oldest frame; null when empty. Transferred: the caller releases it. */
    public ByteBuf poll() {
        if (size == 0) {
            return null;
        }
        ByteBuf frame = frames[head];
        frames[head] = null;
        head = (head + 1) & (frames.length - 1);
        size--;
        return frame;
    }

    private void grow() {
        ByteBuf[] biggerFrames = new ByteBuf[frames.length * 2];
        int[] biggerMarks = new int[marks.length * 2];
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (frames.length - 1);
            biggerFrames[i] = frames[from];
            biggerMarks[i] = marks[from];
        }
        frames = biggerFrames;
        marks = biggerMarks;
        head = 0;
    }
}
