package io.tapvsock.transport.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The DS component driven as SCR would: constructor with references and config, then deactivate. */
@Timeout(60)
class QemuListenerComponentTest {

    @TempDir
    Path dir;

    private final TestNetwork network = new TestNetwork();
    private final QemuTransportStatus status = new QemuTransportStatus();

    @AfterEach
    void tearDown() {
        network.close();
    }

    private static QemuListenerComponent.Config config(String listen, int maxFrameSize) {
        return new QemuListenerComponent.Config() {
            @Override
            public String listen() {
                return listen;
            }

            @Override
            public int maxFrameSize() {
                return maxFrameSize;
            }

            @Override
            public boolean offload() {
                return true;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return QemuListenerComponent.Config.class;
            }
        };
    }

    @Test
    void activate_listens_and_deactivate_removes_the_socket() throws Exception {
        Path path = dir.resolve("vm.sock");
        QemuListenerComponent component = new QemuListenerComponent(network, status,
                config("unix://" + path, QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE));
        assertTrue(Files.exists(path));
        assertEquals("qemu unix://" + path + "  no client", status.listeners());
        try (TestClient client = new TestClient(UnixDomainSocketAddress.of(path))) {
            TestNetwork.TestPort port = network.nextPort();
            byte[] frame = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
            client.sendFrames(frame);
            assertArrayEquals(frame, port.nextFrame());
            assertEquals(1L, status.snapshot().get("framesIn"));
            component.deactivate();
            port.awaitDetached();
        }
        assertFalse(Files.exists(path));
        assertEquals("no qemu listeners", status.listeners());
    }

    @Test
    void activation_fails_naming_an_existing_path() throws Exception {
        Path path = dir.resolve("stale.sock");
        Files.createFile(path);
        IOException e = assertThrows(IOException.class, () -> new QemuListenerComponent(network, status,
                config("unix://" + path, QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE)));
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
        assertEquals("no qemu listeners", status.listeners());
    }

    @Test
    void activation_fails_on_a_bad_url() {
        assertThrows(IllegalArgumentException.class,
                () -> new QemuListenerComponent(network, status, config("vsock://:1024", 65550)));
    }
}
