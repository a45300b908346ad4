package io.tapvsock.transport.vsock.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.StreamPort;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stdio link with pipes for stdin and stdout, on the real stack: ARP and ping, then the end of stdin. */
@Timeout(60)
class StdioLinkTest {

    private RealStack stack;
    private final LinkCounters counters = VsockTransportStatus.newCounters();
    private final CountDownLatch ended = new CountDownLatch(1);

    @BeforeEach
    void setUp() throws Exception {
        stack = new RealStack();
    }

    @AfterEach
    void tearDown() throws Exception {
        stack.close();
    }

    @Test
    void frames_both_ways_then_end_of_stdin_ends_the_link() throws Exception {
        PipedOutputStream guestOut = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(guestOut, 1 << 16);
        PipedOutputStream stdout = new PipedOutputStream();
        PipedInputStream guestIn = new PipedInputStream(stdout, 1 << 16);
        StdioLink link = new StdioLink(stack.network, stdin, stdout, counters, ended::countDown);
        link.start();
        try (HyperkitClient guest = new HyperkitClient(guestIn, guestOut, guestOut)) {
            guest.send(GuestFrames.arpRequestForGateway(RealStack.GUEST_MAC, 2));
            assertEquals(2, guest.receive(RealStack.GUEST_MAC, 0x0806)[21], "ARP reply");
            guest.send(GuestFrames.icmpEchoToGateway(RealStack.GUEST_MAC, RealStack.GATEWAY_MAC, 2, 1));
            assertEquals(0, guest.receive(RealStack.GUEST_MAC, 0x0800)[34], "echo reply");
            assertTrue(link.portId() >= 0, "attached");
        } // closing the guest's output is the end of stdin
        assertTrue(ended.await(10, TimeUnit.SECONDS), "the link ended");
        assertEquals(-1, link.portId());
        assertEquals(1L, stack.group.submit(() -> counters.get(VsockTransportStatus.STDIO_LINKS)).get());
        assertEquals(Map.of("peer-closed", 1L), stack.group.submit(() -> counters.snapshot().get(StreamPort.CLOSES)).get());
        link.close();
    }

    @Test
    void closing_the_link_ends_it_once() throws Exception {
        PipedOutputStream guestOut = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(guestOut, 1 << 16);
        PipedOutputStream stdout = new PipedOutputStream();
        new PipedInputStream(stdout, 1 << 16);
        StdioLink link = new StdioLink(stack.network, stdin, stdout, counters, ended::countDown);
        link.start();
        link.close();
        assertTrue(ended.await(10, TimeUnit.SECONDS));
        assertEquals(Map.of("link-closed", 1L), stack.group.submit(() -> counters.snapshot().get(StreamPort.CLOSES)).get());
        guestOut.close();
    }
}
