package io.tapvsock.http;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/** read(2), write(2) and close(2) on a raw non-blocking fd, for tests of the /connect handover. */
final class RawFd {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle READ = handle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private RawFd() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    /** Reads until {@code count} bytes came (polling the non-blocking fd), or fails after 10 s. */
    static String readExactly(int fd, int count) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(count);
            long got = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (got < count) {
                long n = (long) READ.invokeExact(fd, buffer.address() + got, count - got);
                if (n == 0) {
                    throw new AssertionError("EOF after " + got + " bytes");
                }
                if (n > 0) {
                    got += n;
                } else if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + got + " of " + count + " bytes within 10 s");
                } else {
                    Thread.sleep(10);
                }
            }
            return new String(buffer.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
        }
    }

    static void write(int fd, String text) throws Throwable {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            long n = (long) WRITE.invokeExact(fd, buffer.address(), (long) bytes.length);
            if (n != bytes.length) {
                throw new AssertionError("wrote " + n + " of " + bytes.length + " to fd " + fd + ": "
                        + java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)));
            }
        }
    }

    static void close(int fd) throws Throwable {
        int ignored = (int) CLOSE.invokeExact(fd);
    }
}
