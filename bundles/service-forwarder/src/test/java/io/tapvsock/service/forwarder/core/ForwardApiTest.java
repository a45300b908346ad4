package io.tapvsock.service.forwarder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForwardApiTest {

    private final FakeListeners listeners = new FakeListeners();
    private final Forwards forwards = new Forwards(listeners);
    private final ForwardApi api = new ForwardApi(forwards);

    @Test
    void expose_tcp_opensListener_andListShowsIt() {
        assertResponse(200, "", post(ForwardApi.EXPOSE,
                "{\"local\":\"127.0.0.1:9090\",\"remote\":\"192.168.127.2:8080\",\"protocol\":\"tcp\"}"));

        assertEquals(List.of("tcp 127.0.0.1:9090 192.168.127.2:8080"), listeners.opened);
        assertResponse(200, "[{\"local\":\"127.0.0.1:9090\",\"remote\":\"192.168.127.2:8080\",\"protocol\":\"tcp\"}]\n",
                api.handle(request("GET", ForwardApi.ALL, "", "127.0.0.1")));
    }

    @Test
    void expose_withoutProtocol_isTcp_withTrailingNewline_andCaseInsensitiveKeys() {
        assertResponse(200, "", post(ForwardApi.EXPOSE, "{\"Local\":\":9090\",\"REMOTE\":\"192.168.127.2:80\"}\n"));

        assertEquals(List.of("tcp :9090 192.168.127.2:80"), listeners.opened);
    }

    @Test
    void expose_emptyRemoteIp_meansTheClientsAddress() {
        ApiResponse response = api.handle(request("POST", ForwardApi.EXPOSE,
                "{\"local\":\"192.168.127.254:9090\",\"remote\":\":8080\",\"protocol\":\"tcp\"}", "192.168.127.2"));

        assertResponse(200, "", response);
        assertEquals("192.168.127.2:8080", forwards.list().getFirst().forward().remote());
    }

    @Test
    void expose_emptyRemoteIp_fromAUnixSocketClient_is400() {
        ApiResponse response = api.handle(request("POST", ForwardApi.EXPOSE,
                "{\"local\":\":9090\",\"remote\":\":8080\"}", ""));

        assertEquals(400, response.status());
    }

    @Test
    void expose_twice_is500_proxyAlreadyRunning() {
        String body = "{\"local\":\"127.0.0.1:9090\",\"remote\":\"192.168.127.2:8080\"}";
        post(ForwardApi.EXPOSE, body);

        assertResponse(500, "proxy already running for tcp on 127.0.0.1:9090\n", post(ForwardApi.EXPOSE, body));
        assertEquals(1, listeners.opened.size());
    }

    @Test
    void expose_sameLocal_otherProtocol_isAnotherForward() {
        post(ForwardApi.EXPOSE, "{\"local\":\"/tmp/x.sock\",\"remote\":\"tcp://192.168.127.2:22\",\"protocol\":\"unix\"}");

        assertResponse(200, "", post(ForwardApi.EXPOSE,
                "{\"local\":\"/tmp/x.sock\",\"remote\":\"tcp://192.168.127.2:23\",\"protocol\":\"npipe\"}"));
    }

    @Test
    void expose_unknownProtocol_is500() {
        assertResponse(500, "unknown protocol x\n", post(ForwardApi.EXPOSE,
                "{\"local\":\":9090\",\"remote\":\"192.168.127.2:8080\",\"protocol\":\"x\"}"));
    }

    @Test
    void expose_remoteWithoutPort_is400_withGosText() {
        assertResponse(400, "address 192.168.127.2: missing port in address\n", post(ForwardApi.EXPOSE,
                "{\"local\":\":9090\",\"remote\":\"192.168.127.2\"}"));
    }

    @Test
    void expose_remoteNotIpv4_is500_invalidRemoteAddr() {
        ApiResponse response = post(ForwardApi.EXPOSE, "{\"local\":\":9090\",\"remote\":\"guest:8080\"}");

        assertEquals(500, response.status());
        assertEquals(true, text(response).startsWith("invalid remote addr"), text(response));
    }

    @Test
    void expose_bindError_is500_withTheReason() {
        listeners.taken.add("127.0.0.1:22");

        assertResponse(500, "listen tcp 127.0.0.1:22: bind: address already in use\n", post(ForwardApi.EXPOSE,
                "{\"local\":\"127.0.0.1:22\",\"remote\":\"192.168.127.2:22\"}"));
        assertResponse(200, "[]\n", api.handle(request("GET", ForwardApi.ALL, "", "")));
    }

    @Test
    void expose_unix_tcpRemote_and_sshTunnelRemote_open_otherSchemes_are500() {
        assertResponse(200, "", post(ForwardApi.EXPOSE,
                "{\"local\":\"/tmp/a.sock\",\"remote\":\"tcp://192.168.127.2:2375\",\"protocol\":\"unix\"}"));
        String tunnel = "ssh-tunnel://core@192.168.127.2/run/podman.sock?key=/k";
        assertResponse(200, "", post(ForwardApi.EXPOSE,
                "{\"local\":\"/tmp/b.sock\",\"remote\":\"" + tunnel + "\",\"protocol\":\"unix\"}"));
        assertEquals(List.of("unix /tmp/a.sock 192.168.127.2:2375",
                "unix /tmp/b.sock core@192.168.127.2:22/run/podman.sock key /k"), listeners.opened);
        assertResponse(200, "[{\"local\":\"/tmp/a.sock\",\"remote\":\"tcp://192.168.127.2:2375\","
                + "\"protocol\":\"unix\"},{\"local\":\"/tmp/b.sock\",\"remote\":\"" + tunnel
                + "\",\"protocol\":\"unix\"}]\n",
                api.handle(request("GET", ForwardApi.ALL, "", "")));

        assertResponse(500, "key not provided for unix-ssh connection\n", post(ForwardApi.EXPOSE,
                "{\"local\":\"/tmp/d.sock\",\"remote\":\"ssh-tunnel://core@192.168.127.2/run/podman.sock\","
                        + "\"protocol\":\"unix\"}"));
        assertResponse(500, "remote protocol for unix forwarder is not implemented: http\n", post(ForwardApi.EXPOSE,
                "{\"local\":\"/tmp/c.sock\",\"remote\":\"http://192.168.127.2:80\",\"protocol\":\"unix\"}"));
    }

    @Test
    void expose_get_is400_postOnly_andBadJson_is400() {
        assertResponse(400, "post only\n", api.handle(request("GET", ForwardApi.EXPOSE, "", "127.0.0.1")));
        assertEquals(400, post(ForwardApi.EXPOSE, "{\"local\":").status());
        assertResponse(400, "EOF\n", post(ForwardApi.EXPOSE, ""));
        assertResponse(400, "json: cannot unmarshal array into Go value of type types.ExposeRequest\n",
                post(ForwardApi.EXPOSE, "[]"));
        assertResponse(400, "json: cannot unmarshal number into Go struct field ExposeRequest.local of type string\n",
                post(ForwardApi.EXPOSE, "{\"local\":9090}"));
    }

    @Test
    void unexpose_closesTheListener_thenProxyNotFound() {
        post(ForwardApi.EXPOSE, "{\"local\":\"127.0.0.1:9090\",\"remote\":\"192.168.127.2:8080\"}");

        assertResponse(200, "", post(ForwardApi.UNEXPOSE, "{\"local\":\"127.0.0.1:9090\",\"protocol\":\"tcp\"}"));
        assertEquals(List.of("tcp 127.0.0.1:9090 192.168.127.2:8080"), listeners.closed);
        assertResponse(500, "proxy not found\n", post(ForwardApi.UNEXPOSE, "{\"local\":\"127.0.0.1:9090\"}"));
        assertResponse(400, "post only\n", api.handle(request("PUT", ForwardApi.UNEXPOSE, "", "")));
    }

    @Test
    void all_isSortedByLocalThenProtocol() {
        post(ForwardApi.EXPOSE, "{\"local\":\"127.0.0.1:9091\",\"remote\":\"192.168.127.2:1\",\"protocol\":\"tcp\"}");
        post(ForwardApi.EXPOSE, "{\"local\":\"127.0.0.1:9090\",\"remote\":\"tcp://192.168.127.2:2\",\"protocol\":\"unix\"}");
        post(ForwardApi.EXPOSE, "{\"local\":\"127.0.0.1:9090\",\"remote\":\"192.168.127.2:3\",\"protocol\":\"tcp\"}");

        assertResponse(200, "[{\"local\":\"127.0.0.1:9090\",\"remote\":\"192.168.127.2:3\",\"protocol\":\"tcp\"},"
                + "{\"local\":\"127.0.0.1:9090\",\"remote\":\"tcp://192.168.127.2:2\",\"protocol\":\"unix\"},"
                + "{\"local\":\"127.0.0.1:9091\",\"remote\":\"192.168.127.2:1\",\"protocol\":\"tcp\"}]\n",
                api.handle(request("POST", ForwardApi.ALL, "", "")));
    }

    @Test
    void udp_exposeWithEmptyRemoteIp_duplicate_listSortedWithTcp_unexpose() {
        assertResponse(200, "", api.handle(request("POST", ForwardApi.EXPOSE,
                "{\"local\":\"127.0.0.1:1053\",\"remote\":\":53\",\"protocol\":\"udp\"}", "192.168.127.2")));
        assertResponse(500, "proxy already running for udp on 127.0.0.1:1053\n", post(ForwardApi.EXPOSE,
                "{\"local\":\"127.0.0.1:1053\",\"remote\":\"192.168.127.3:53\",\"protocol\":\"udp\"}"));
        post(ForwardApi.EXPOSE, "{\"local\":\"127.0.0.1:1053\",\"remote\":\"192.168.127.2:53\",\"protocol\":\"tcp\"}");

        assertEquals(List.of("udp 127.0.0.1:1053 192.168.127.2:53", "tcp 127.0.0.1:1053 192.168.127.2:53"),
                listeners.opened);
        assertResponse(200, "[{\"local\":\"127.0.0.1:1053\",\"remote\":\"192.168.127.2:53\",\"protocol\":\"tcp\"},"
                + "{\"local\":\"127.0.0.1:1053\",\"remote\":\"192.168.127.2:53\",\"protocol\":\"udp\"}]\n",
                api.handle(request("GET", ForwardApi.ALL, "", "")));
        assertResponse(200, "", post(ForwardApi.UNEXPOSE, "{\"local\":\"127.0.0.1:1053\",\"protocol\":\"udp\"}"));
        assertEquals(List.of("udp 127.0.0.1:1053 192.168.127.2:53"), listeners.closed);
    }

    @Test
    void otherPaths_are404() {
        assertEquals(404, api.handle(request("GET", "/stats", "", "")).status());
    }

    private ApiResponse post(String path, String body) {
        return api.handle(request("POST", path, body, "127.0.0.1"));
    }

    private static ApiRequest request(String method, String path, String body, String client) {
        return new ApiRequest(method, path, Map.of(), body.getBytes(StandardCharsets.UTF_8), client);
    }

    private static String text(ApiResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static void assertResponse(int status, String body, ApiResponse response) {
        assertEquals(status + " " + body, response.status() + " " + text(response));
    }
}
