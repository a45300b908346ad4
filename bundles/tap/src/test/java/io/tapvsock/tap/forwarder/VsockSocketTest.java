package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/**
 * The AF_VSOCK path up to socket creation and bind only: testing.md forbids connecting to a real context ID
 * (the frames and /connect over a connected stream are tested over unix sockets instead).
 */
class VsockSocketTest {

    @Test
    void sockaddrVm_layout() {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = VsockSocket.sockaddr(arena, 2, 1024).toArray(ValueLayout.JAVA_BYTE);
            ByteBuffer expected = ByteBuffer.allocate(VsockSocket.SOCKADDR_VM_SIZE).order(ByteOrder.nativeOrder())
                    .putShort((short) 40).putShort((short) 0).putInt(1024).putInt(2);
            assertArrayEquals(expected.array(), bytes, "family, reserved, port, cid, flags 0, zero padding");
        }
    }

    @Test
    void createBindAndClose() throws IOException {
        VsockSocket socket = openOrSkip();
        try {
            socket.bind(VsockSocket.VMADDR_CID_ANY, VsockSocket.VMADDR_PORT_ANY);
            assertNotEquals(VsockSocket.VMADDR_PORT_ANY, socket.localPort(), "the kernel picked a port");
        } finally {
            socket.close();
        }
        socket.close(); // idempotent
        assertThrows(ClosedChannelException.class, () -> socket.read(ByteBuffer.allocateDirect(8)));
        assertThrows(ClosedChannelException.class, () -> socket.write(ByteBuffer.allocate(8)));
    }

    private static VsockSocket openOrSkip() {
        try {
            return VsockSocket.open();
        } catch (IOException e) {
            assumeTrue(false, "no AF_VSOCK here: " + e.getMessage());
            throw new AssertionError(e);
        }
    }
}
