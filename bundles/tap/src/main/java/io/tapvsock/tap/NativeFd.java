package io.tapvsock.tap;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open or closed state of a native fd (or of fds closed together) that several threads call into, so that
 * {@link #close} while another thread is blocked in a read or a poll is safe. Every call on the fd goes between
 * {@link #enter()} and {@link #leave()}. close() marks the state closed at once (later calls get a
 * {@link ClosedChannelException}) and runs the owner's wake-up (a shutdown, an eventfd write) with the fd still
 * open; the release action closes the fd only once the last thread inside a call has left, so no call ever sees
 * a closed or reused fd number.
 *
 * <p>Two atomics per call, no lock objects (a ReentrantReadWriteLock would allocate hold counters per call for
 * the second thread).
 */
public final class NativeFd {

    /** The closed flag in {@link #state}, above any count of threads inside a call. */
    private static final int CLOSED = 1 << 30;

    /** Threads inside a call, plus {@link #CLOSED}. */
    private final AtomicInteger state = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private final Runnable release;

    /** @param release closes the fd(s): runs once, on the last thread out after close() */
    public NativeFd(Runnable release) {
        this.release = release;
    }

    /**
     * Counts the calling thread in; the fd stays open until it {@link #leave leaves}.
     *
     * @throws ClosedChannelException after close()
     */
    public void enter() throws ClosedChannelException {
        if ((state.incrementAndGet() & CLOSED) != 0) {
            leave();
            throw new ClosedChannelException();
        }
    }

    /** Counts the calling thread out; the last one out after close() releases the fd. */
    public void leave() {
        if (state.decrementAndGet() == CLOSED) {
            releaseOnce();
        }
    }

    public boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /**
     * Marks the fd closed and runs wake while it is still open (this thread counted in), then leaves: the release
     * happens here, or in the last thread still inside a call. Idempotent: later calls do nothing.
     *
     * @param wake makes calls blocked on the fd return, e.g. shutdown(2) or an eventfd write
     * @return false when the fd was closed already
     */
    public boolean close(Runnable wake) {
        int before = state.getAndUpdate(value -> (value & CLOSED) != 0 ? value : (value | CLOSED) + 1);
        if ((before & CLOSED) != 0) {
            return false;
        }
        try {
            wake.run();
        } finally {
            leave();
        }
        return true;
    }

    /** Waits until the release action ran, even when interrupted (the interrupt status is kept). */
    public void awaitRelease() {
        boolean interrupted = false;
        while (true) {
            try {
                released.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void releaseOnce() {
        synchronized (released) {
            if (released.getCount() == 0) {
                return;
            }
            release.run();
            released.countDown();
        }
    }
}
