package io.tapvsock.stack.osgi;

import io.netty.channel.EventLoop;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a task on the network loop from another thread (HTTP, Gogo, ConfigAdmin) and waits for its result. */
final class LoopCall {

    static final long TIMEOUT_SECONDS = 5;

    private LoopCall() {
    }

    /** Runs {@code task} on {@code loop} (directly when already there) and returns its result. */
    static <T> T call(EventLoop loop, Callable<T> task) {
        try {
            if (loop.inEventLoop()) {
                return task.call();
            }
            return loop.submit(task).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the network loop did not answer within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the network loop", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("network loop task failed: " + e.getCause(), e.getCause());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
