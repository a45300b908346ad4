package io.tapvsock.service.forwarder.core;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import java.lang.System.Logger.Level;

/**
 * gvproxy's three forwarder endpoints (compat.md section 4), shared by the API endpoints and the in-VM API:
 * status codes and texts as upstream (400 "post only" and JSON errors, 500 with the reason, errors end with a
 * newline as Go's http.Error writes them). Any thread but the network loop.
 */
public final class ForwardApi {

    public static final String ALL = "/services/forwarder/all";
    public static final String EXPOSE = "/services/forwarder/expose";
    public static final String UNEXPOSE = "/services/forwarder/unexpose";

    private static final System.Logger LOG = System.getLogger(ForwardApi.class.getName());

    private final Forwards forwards;

    public ForwardApi(Forwards forwards) {
        this.forwards = forwards;
    }

    /** Serves one of the three paths; anything else is 404 as Go's mux answers it. */
    public ApiResponse handle(ApiRequest request) {
        return switch (request.path()) {
            case ALL -> all();
            case EXPOSE -> expose(request);
            case UNEXPOSE -> unexpose(request);
            default -> error(404, "404 page not found");
        };
    }

    /** Any method, as upstream. */
    public ApiResponse all() {
        return ApiResponse.json(ForwardsJson.writeList(forwards.list().stream().map(Forwards.Open::forward).toList()));
    }

    public ApiResponse expose(ApiRequest request) {
        if (!request.method().equals("POST")) {
            return error(400, "post only");
        }
        Forward forward;
        try {
            forward = withClientAddress(ForwardsJson.readExpose(request.bodyText()), request.remoteAddress());
        } catch (IllegalArgumentException e) {
            LOG.log(Level.INFO, "expose refused: {0}", e.getMessage());
            return error(400, e.getMessage());
        }
        try {
            forwards.expose(forward, false);
        } catch (ForwardException e) {
            LOG.log(Level.INFO, "expose {0} {1} -> {2} refused: {3}", forward.protocol(), forward.local(),
                    forward.remote(), e.getMessage());
            return error(500, e.getMessage());
        }
        return ApiResponse.ok();
    }

    public ApiResponse unexpose(ApiRequest request) {
        if (!request.method().equals("POST")) {
            return error(400, "post only");
        }
        Forward forward;
        try {
            forward = ForwardsJson.readUnexpose(request.bodyText());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        try {
            forwards.unexpose(forward.protocol(), forward.local());
        } catch (ForwardException e) {
            return error(500, e.getMessage());
        }
        return ApiResponse.ok();
    }

    /**
     * tcp and udp: a remote without IP (":8080") means the API client's address, so a guest calling the in-VM
     * API exposes itself. unix and npipe remotes are URLs and stay as they are.
     *
     * @param client the client's IP as text, "" for a unix-socket client
     * @throws IllegalArgumentException as gvproxy's 400 answers
     */
    public static Forward withClientAddress(Forward forward, String client) {
        if (forward.protocol().equals(ForwardProtocol.UNIX.text())
                || forward.protocol().equals(ForwardProtocol.NPIPE.text())) {
            return forward;
        }
        HostPort remote = HostPort.split(forward.remote());
        if (!remote.host().isEmpty()) {
            return forward;
        }
        if (client == null || client.isEmpty()) {
            throw new IllegalArgumentException("remote " + forward.remote()
                    + " has no IP and the API client has no address to use instead (a unix-socket client)");
        }
        String ip = client.startsWith("::ffff:") && client.indexOf('.') > 0 ? client.substring(7) : client;
        return new Forward(forward.local(), ip + forward.remote(), forward.protocol());
    }

    private static ApiResponse error(int status, String text) {
        return ApiResponse.text(status, text + "\n");
    }
}
