package io.tapvsock.service.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.Stack;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.core.StackNetwork;
import io.tapvsock.transport.tap.TestTapLinks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real guest for the forwarder's tests: a network namespace whose TAP is attached to the real stack, with the
 * forwarder component built by hand on that stack (no framework) and serving the in-VM API on gateway port 80.
 */
final class GuestNetwork implements AutoCloseable {

    final TestNamespace namespace;
    final ForwarderComponent forwarder;
    private final MultiThreadIoEventLoopGroup group;
    private final Stack stack;
    private final AutoCloseable link;
    private final List<Process> programs = new ArrayList<>();

    /** @param properties the forwarder's configuration */
    GuestNetwork(Map<String, Object> properties) throws Exception {
        namespace = TestNamespace.create();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        var loop = group.next();
        stack = loop.submit(() -> new Stack(loop, PooledByteBufAllocator.DEFAULT, HostChannels.detect(),
                System::nanoTime, NetworkSettings.defaults(), StackLimits.defaults())).get(10, TimeUnit.SECONDS);
        StackNetwork network = new StackNetwork(stack);
        link = TestTapLinks.open(network, namespace.path());
        // The stack is the network loop's: the forwarder opens flow endpoints from that loop, as it does through
        // the stack bundle's GuestUdpConnector.
        forwarder = new ForwarderComponent(network, stack::connectTcp, (local, receiver) -> stack.openUdpEndpoint(
                Ipv4Address.fromBytes(local.getAddress().getAddress()).bits(), local.getPort(), receiver), properties);
        stack.addTcpService(80, forwarder);
    }

    /** A python program in the namespace: its stdout, and it is stopped by {@link #close()}. */
    record GuestProgram(Process process, BufferedReader out) {
    }

    /** Starts {@code script} with python3 in the namespace and waits for it to print "listening". */
    GuestProgram startPython(String script) throws IOException {
        Process process = new ProcessBuilder("ip", "netns", "exec", namespace.path().getFileName().toString(),
                "/usr/bin/python3", "-c", script).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        programs.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("listening", out.readLine());
        return new GuestProgram(process, out);
    }

    /** The stack's UDP counters ("UDP" in /stats), read on the loop. */
    Map<String, Object> stackUdpStats() throws Exception {
        return group.submit(() -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> udp = (Map<String, Object>) stack.snapshot().get("UDP");
            return udp;
        }).get(10, TimeUnit.SECONDS);
    }

    /** A request to the forwarder's API from 127.0.0.1. */
    ApiResponse api(String method, String path, String body) {
        return forwarder.api().handle(new ApiRequest(method, path, Map.of(), body.getBytes(StandardCharsets.UTF_8),
                "127.0.0.1"));
    }

    static void assertResponse(int status, String body, ApiResponse response) {
        assertEquals(status + " " + body, response.status() + " " + new String(response.body(), StandardCharsets.UTF_8));
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            for (Process program : programs) {
                program.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            forwarder.deactivate();
            link.close();
            group.submit(stack::close).get(10, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            namespace.close();
        }
    }
}
