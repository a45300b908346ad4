package io.tapvsock.transport.bess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.VirtualNetwork;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The DS component driven as SCR would: constructor with references and config, then deactivate. */
@Timeout(60)
class BessListenerComponentTest {

    @TempDir
    Path dir;

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final BessTransportStatus status = new BessTransportStatus();

    /** A network that takes no ports: these tests never connect a client. */
    private final VirtualNetwork network = new VirtualNetwork() {
        @Override
        public EventLoop eventLoop() {
            return group.next();
        }

        @Override
        public NetworkPort attach(FrameSink sink, String description) {
            throw new UnsupportedOperationException();
        }

        @Override
        public NetworkSettings settings() {
            return NetworkSettings.defaults();
        }
    };

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static BessListenerComponent.Config config(String listen) {
        return new BessListenerComponent.Config() {
            @Override
            public String listen() {
                return listen;
            }

            @Override
            public int maxFrameSize() {
                return BessListenerComponent.DEFAULT_MAX_FRAME_SIZE;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return BessListenerComponent.Config.class;
            }
        };
    }

    @Test
    void activate_listens_andDeactivate_removesTheSocket() throws Exception {
        Path path = dir.resolve("uml.sock");
        BessListenerComponent component = new BessListenerComponent(network, status, config("unixpacket://" + path));
        assertTrue(Files.exists(path));
        assertEquals("bess unixpacket://" + path + "  no client", status.bess());
        assertEquals(0L, status.snapshot().get(BessTransportStatus.CLIENTS_ACCEPTED));

        component.deactivate();

        assertFalse(Files.exists(path));
        assertEquals("no bess listeners", status.bess());
    }

    @Test
    void activationFails_namingAnExistingPath() throws Exception {
        Path path = dir.resolve("stale.sock");
        Files.createFile(path);
        IOException e = assertThrows(IOException.class,
                () -> new BessListenerComponent(network, status, config("unixpacket://" + path)));
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
        assertTrue(Files.exists(path));
        assertEquals("no bess listeners", status.bess());
    }

    @Test
    void activationFails_onAUrlOfAnotherScheme() {
        assertThrows(IllegalArgumentException.class,
                () -> new BessListenerComponent(network, status, config("unix:///tmp/x.sock")));
    }
}
