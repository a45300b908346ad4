package io.tapvsock.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeFdTest {

    private final List<String> events = new ArrayList<>();
    private final NativeFd fd = new NativeFd(() -> events.add("release"));

    @Test
    void close_withNoCallInside_wakesThenReleases() {
        assertTrue(fd.close(() -> events.add("wake")));
        assertEquals(List.of("wake", "release"), events);
        assertTrue(fd.isClosed());
    }

    @Test
    void close_duringCall_releasesWhenTheLastThreadLeaves() throws Exception {
        fd.enter();
        fd.enter();
        assertTrue(fd.close(() -> events.add("wake")));
        assertEquals(List.of("wake"), events, "two calls still inside: the fd stays open");
        fd.leave();
        assertEquals(List.of("wake"), events);
        fd.leave();
        assertEquals(List.of("wake", "release"), events);
        fd.awaitRelease(); // returns at once: released
    }

    @Test
    void enter_afterClose_failsAndNeverReleasesTwice() throws Exception {
        fd.close(() -> { });
        assertThrows(ClosedChannelException.class, fd::enter);
        assertThrows(ClosedChannelException.class, fd::enter);
        assertFalse(fd.close(() -> events.add("wake again")), "closed already");
        assertEquals(List.of("release"), events);
    }

    @Test
    void isClosed_falseUntilClose() throws Exception {
        fd.enter();
        fd.leave();
        assertFalse(fd.isClosed());
        assertTrue(events.isEmpty());
    }
}
