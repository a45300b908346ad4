package io.tapvsock.service.sshforward.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.DefaultEventLoop;
import io.tapvsock.service.sshforward.ssh.GuestSshClient;
import io.tapvsock.service.sshforward.ssh.SshTarget;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A relay whose session was never asked for (an ssh-tunnel expose without a connection) closes cleanly. */
class GuestSocketRelayTest {

    @Test
    void closedBeforeAnyConnection_makesNoSession_andCloses() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        AtomicInteger targetReads = new AtomicInteger();
        try (GuestSshClient client = new GuestSshClient(null, () -> new InetSocketAddress(0))) {
            GuestSocketRelay relay = new GuestSocketRelay("test", "/run/s.sock", loop, client, () -> {
                targetReads.incrementAndGet();
                return new SshTarget(new InetSocketAddress("192.168.127.2", 22), "core", Path.of("/k"));
            }, new SshForwardCounters());
            relay.close();
            relay.start(); // after close: still nothing
            assertFalse(relay.sessionUp());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertEquals(0, targetReads.get(), "no session attempt was made");
    }
}
