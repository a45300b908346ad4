package io.tapvsock.service.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.VirtualNetwork;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DnsComponentTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

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
    void stop() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private static ApiRequest request(String method, String path, String body) {
        return new ApiRequest(method, path, Map.of(), body.getBytes(StandardCharsets.UTF_8), "127.0.0.1");
    }

    private static String body(ApiResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void all_listsTheDefaultZones() {
        DnsComponent component = new DnsComponent(network, Map.of());
        ApiResponse response = new DnsAllRoute(component).handle(request("GET", "/services/dns/all", ""));
        assertEquals(200, response.status());
        assertEquals("application/json", response.contentType());
        assertEquals("[{\"Name\":\"containers.internal.\",\"Records\":[{\"Name\":\"gateway\",\"IP\":\"192.168.127.1\"},"
                + "{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],\"DefaultIP\":\"\"},"
                + "{\"Name\":\"docker.internal.\",\"Records\":[{\"Name\":\"gateway\",\"IP\":\"192.168.127.1\"},"
                + "{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],\"DefaultIP\":\"\"}]", body(response));
        component.deactivate();
    }

    @Test
    void add_mergesNewestFirst_andRefusesBadInputWithAReason() {
        DnsComponent component = new DnsComponent(network, Map.of());
        DnsAddRoute add = new DnsAddRoute(component);
        String zone = "{\"Name\":\"dynamic.internal.\",\"Records\":[{\"Name\":\"test\",\"IP\":\"192.168.127.254\"}]}";
        assertEquals(200, add.handle(request("POST", "/services/dns/add", zone)).status());
        assertEquals(200, add.handle(request("POST", "/services/dns/add", zone.replace(".254", ".253"))).status());
        assertEquals("192.168.127.253", component.zones().get(2).records().getFirst().ip().toString());

        ApiResponse badRegexp = add.handle(request("POST", "/services/dns/add",
                "{\"Name\":\"x.\",\"Records\":[{\"IP\":\"10.0.0.1\",\"Regexp\":\"[\"}]}"));
        assertEquals(400, badRegexp.status());
        assertTrue(body(badRegexp).contains("bad Regexp"), body(badRegexp));
        assertEquals(400, add.handle(request("POST", "/services/dns/add", "not json")).status());
        assertEquals("post only", body(add.handle(request("GET", "/services/dns/add", ""))));
        assertEquals(3, component.zones().size(), "nothing changed by the refusals");
        component.deactivate();
    }

    @Test
    void configuration_zonesReplaceTheDefaults_andABadOneIsRefused() {
        DnsComponent component = new DnsComponent(network, Map.of("zones",
                "[{\"Name\":\"lab.\",\"Records\":[{\"Name\":\"a\",\"IP\":\"10.0.0.1\"}]}]", "upstreams", "127.0.0.1:5353"));
        assertEquals(1, component.zones().size());
        component.add(new io.tapvsock.service.dns.core.Zone("extra.", java.util.List.of(), null));
        component.modified(Map.of("zones", "[{\"Name\":\"lab.\",\"Records\":[{\"Name\":\"a\",\"IP\":\"10.0.0.1\"}]}]",
                "upstreams", "127.0.0.1:5454"));
        assertEquals(2, component.zones().size(), "same zones property: zones added since stay");
        component.modified(Map.of("zones", "[{\"Name\":\"lab.\",\"Records\":[{\"IP\":\"10.0.0.1\",\"Regexp\":\"(\"}]}]"));
        assertEquals(2, component.zones().size(), "refused: the previous configuration stays");
        component.modified(Map.of());
        assertEquals("containers.internal.", component.zones().getFirst().name(), "back to the default zones");
        assertEquals(new DnsComponent(network, Map.of("timeoutMillis", "-5")).zones().size(), 2,
                "a bad configuration at activation gives the defaults");
        component.deactivate();
    }

    @Test
    void shellCommands_addListAndRemove() {
        DnsComponent component = new DnsComponent(network, Map.of());
        DnsCommands commands = new DnsCommands(component);
        assertEquals("zone lab. default 10.9.9.9", commands.dnsdefault("lab", "10.9.9.9"));
        assertTrue(commands.dnsadd("lab.", "web", "10.0.0.7").startsWith("added to lab."));
        assertTrue(commands.dnsaddregexp("lab.", "^db-", "10.0.0.8").startsWith("added"));
        assertTrue(commands.dnsaddregexp("lab.", "(", "10.0.0.8").startsWith("error: bad regexp"));
        assertTrue(commands.dnsadd("lab.", "x", "300.0.0.1").startsWith("error:"));
        String listing = commands.dnszones();
        assertTrue(listing.contains("lab.  default 10.9.9.9"), listing);
        assertTrue(listing.contains("/^db-/"), listing);
        assertEquals("1 record(s) removed from lab.", commands.dnsremove("lab.", "web"));
        assertEquals("zone lab. removed", commands.dnsremove("lab."));
        assertTrue(commands.dnsremove("lab.").startsWith("error:"));
        component.deactivate();
    }

    @Test
    void upstreamsText_namesTheServersInForce_orWhereTheyComeFrom() {
        assertEquals("127.0.0.1:5353, [0:0:0:0:0:0:0:1]:53", DnsComponent.upstreamsText(
                io.tapvsock.service.dns.core.DnsConfig.fromProperties(Map.of("upstreams", "127.0.0.1:5353,[::1]"))));
        assertEquals("the nameservers of /etc/resolv.conf",
                DnsComponent.upstreamsText(io.tapvsock.service.dns.core.DnsConfig.defaults()));
    }
}
