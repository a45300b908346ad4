package io.tapvsock.service.forwarder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForwarderConfigTest {

    @Test
    void defaults_noForwards_realSource_noSsh() {
        ForwarderConfig config = ForwarderConfig.fromProperties(Map.of());

        assertEquals(List.of(), config.forwards());
        assertFalse(config.sourceFromGateway());
        assertEquals(-1, config.sshPort());
        assertEquals(90, config.udpFlowIdleSeconds(), "the stack's UDP flow idle time");
        assertEquals(1024, config.udpMaxFlows());
    }

    @Test
    void udpFlowLimits_fromProperties() {
        ForwarderConfig config = ForwarderConfig.fromProperties(Map.of("udpFlowIdleSeconds", "5", "udpMaxFlows", 3));

        assertEquals(5, config.udpFlowIdleSeconds());
        assertEquals(3, config.udpMaxFlows());
    }

    @Test
    void forwards_asJsonArray() {
        ForwarderConfig config = ForwarderConfig.fromProperties(Map.of("forwards",
                "[{\"local\":\"127.0.0.1:8080\",\"remote\":\"192.168.127.2:80\"},"
                        + "{\"local\":\"/tmp/d.sock\",\"remote\":\"tcp://192.168.127.2:2375\",\"protocol\":\"unix\"}]",
                "sourceFromGateway", "true", "sshPort", 2222));

        assertEquals(List.of(new Forward("127.0.0.1:8080", "192.168.127.2:80", "tcp"),
                new Forward("/tmp/d.sock", "tcp://192.168.127.2:2375", "unix")), config.forwards());
        assertTrue(config.sourceFromGateway());
        assertEquals(2222, config.sshPort());
    }

    @Test
    void forwards_asGvproxysYamlMap_withProtocolPrefix() {
        ForwarderConfig config = ForwarderConfig.fromProperties(Map.of("forwards",
                "{\"127.0.0.1:2222\":\"192.168.127.2:22\",\"udp:127.0.0.1:5353\":\"192.168.127.2:53\"}"));

        assertEquals(List.of(new Forward("127.0.0.1:2222", "192.168.127.2:22", "tcp"),
                new Forward("127.0.0.1:5353", "192.168.127.2:53", "udp")), config.forwards());
    }

    @Test
    void badValues_nameTheProperty() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ForwarderConfig.fromProperties(
                Map.of("forwards", "[1]"))).getMessage().startsWith("forwards: "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ForwarderConfig.fromProperties(
                Map.of("forwards", "{\"a\":"))).getMessage().startsWith("forwards: not JSON"));
        assertEquals("sshPort: 70000 is not -1 (off) or 1..65535", assertThrows(IllegalArgumentException.class,
                () -> ForwarderConfig.fromProperties(Map.of("sshPort", 70000))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ForwarderConfig.fromProperties(
                Map.of("sourceFromGateway", "yes"))).getMessage().startsWith("sourceFromGateway: "));
        assertEquals("udpFlowIdleSeconds: 0 is outside 1..86400", assertThrows(IllegalArgumentException.class,
                () -> ForwarderConfig.fromProperties(Map.of("udpFlowIdleSeconds", 0))).getMessage());
        assertEquals("udpFlowIdleSeconds: \"soon\" is not a number", assertThrows(IllegalArgumentException.class,
                () -> ForwarderConfig.fromProperties(Map.of("udpFlowIdleSeconds", "soon"))).getMessage());
        assertEquals("udpMaxFlows: 0 is outside 1..65536", assertThrows(IllegalArgumentException.class,
                () -> ForwarderConfig.fromProperties(Map.of("udpMaxFlows", "0"))).getMessage());
    }

    @Test
    void configure_replacesOnlyConfiguredForwards_andKeepsApiOnes() throws Exception {
        FakeListeners listeners = new FakeListeners();
        Forwards forwards = new Forwards(listeners);
        forwards.expose(new Forward("127.0.0.1:1", "192.168.127.2:1", "tcp"), false);

        assertEquals(List.of(), forwards.configure(List.of(new Forward("127.0.0.1:2", "192.168.127.2:2", "tcp"),
                new Forward("127.0.0.1:1", "192.168.127.2:9", "tcp"))));
        assertEquals(List.of("tcp 127.0.0.1:1 192.168.127.2:1", "tcp 127.0.0.1:2 192.168.127.2:2"), listeners.opened);

        listeners.taken.add("127.0.0.1:4");
        List<String> errors = forwards.configure(List.of(new Forward("127.0.0.1:3", "192.168.127.2:3", "tcp"),
                new Forward("127.0.0.1:4", "192.168.127.2:4", "tcp")));

        assertEquals(List.of("tcp 127.0.0.1:4 -> 192.168.127.2:4: listen tcp 127.0.0.1:4: bind: address already in use"),
                errors);
        assertEquals(List.of("tcp 127.0.0.1:2 192.168.127.2:2"), listeners.closed);
        assertEquals(List.of("127.0.0.1:1", "127.0.0.1:3"),
                forwards.list().stream().map(open -> open.forward().local()).toList());
    }
}
