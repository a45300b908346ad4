package io.tapvsock.itests.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Namespaces are created with loopback up, run commands, and are deleted afterwards. */
class NetNsSelfTest {
    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void namespaceRunsCommandsAndIsDeleted() {
        String name;
        try (NetNs ns = NetNs.create(harness.workDir())) {
            name = ns.name();
            assertTrue(name.matches("tv-[0-9a-f]{8}"), name);
            String lo = ns.exec(Duration.ofSeconds(10), "ip", "-o", "link", "show", "lo").requireSuccess().stdout();
            assertTrue(lo.contains("UP"), lo);
            // Only lo exists in a fresh namespace: nothing of the host's network is visible.
            String links = ns.exec(Duration.ofSeconds(10), "ip", "-o", "link").requireSuccess().stdout();
            assertEquals(1L, links.lines().count(), links);
            ns.sh(Duration.ofSeconds(10), "busybox ping -c1 -W2 127.0.0.1").requireSuccess();
        }
        String list = Proc.run(Duration.ofSeconds(10), "ip", "netns", "list").requireSuccess().stdout();
        assertFalse(list.contains(name), list);
    }
}
