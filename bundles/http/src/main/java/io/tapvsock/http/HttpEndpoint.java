package io.tapvsock.http;

import io.tapvsock.api.ListenAddress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One API endpoint (gvproxy's {@code -listen} / {@code -services}): a Jetty server with a single connector,
 * unix or tcp, serving the routes of a {@link RouteTable}. A unix socket file gets mode 0600 before anyone can
 * connect. A connection that starts with the request of one of its {@link HandoverKind}s ({@code POST /connect}
 * on gvproxy's -listen, {@code POST /tunnel} on both) is handed to that kind's service instead (see
 * {@link SocketHandover}). Plain Java: the DS component only builds and closes it.
 */
final class HttpEndpoint implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HttpEndpoint.class.getName());
    /** API traffic is light: a few workers beside the selector. Jetty counts the selector against this. */
    private static final int MAX_THREADS = 12;
    private static final int MIN_THREADS = 2;

    private final ListenAddress address;
    private final Server server;
    private final AbstractConnector connector;
    private Path privateDirectory;
    private boolean published;

    /** An endpoint that serves only HTTP. */
    HttpEndpoint(ListenAddress address, RouteTable routes) {
        this(address, routes, List.of());
    }

    /** @param handovers the requests whose connections leave HTTP, e.g. /connect on gvproxy's -listen */
    HttpEndpoint(ListenAddress address, RouteTable routes, List<HandoverKind> handovers) {
        this.address = address;
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        threads.setName("tapvsock-http");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration configuration = new HttpConfiguration();
        configuration.setSendServerVersion(false);
        HttpConnectionFactory http = new HttpConnectionFactory(configuration);
        ConnectionFactory[] factories = handovers.isEmpty() ? new ConnectionFactory[] {http}
                : new ConnectionFactory[] {new DetectorConnectionFactory(handovers.stream()
                        .map(kind -> new HandoverDetector(address.toString(), kind))
                        .toArray(ConnectionFactory.Detecting[]::new)), http};
        // No acceptor threads: the selector accepts.
        connector = address.isUnix() ? new UnixDomainServerConnector(server, 0, 1, factories)
                : new ServerConnector(server, 0, 1, factories);
        server.addConnector(connector);
        server.setHandler(new ApiHandler(routes));
    }

    /**
     * Starts serving; a stale unix socket file is replaced, a live one refused.
     *
     * @throws IOException naming the address when it cannot be used
     */
    public void start() throws IOException {
        if (connector instanceof UnixDomainServerConnector unix) {
            Path path = address.unixPath();
            UnixSocketFile.clearStale(path);
            privateDirectory = UnixSocketFile.privateDirectoryFor(path);
            unix.setUnixDomainPath(privateDirectory.resolve("s"));
        } else {
            ServerConnector tcp = (ServerConnector) connector;
            tcp.setHost(address.tcpAddress().getAddress().isAnyLocalAddress() ? null : address.tcpAddress().getHostString());
            tcp.setPort(address.tcpAddress().getPort());
        }
        try {
            server.start();
            if (privateDirectory != null) {
                UnixSocketFile.publish(privateDirectory.resolve("s"), address.unixPath());
                published = true;
                Files.deleteIfExists(privateDirectory);
                privateDirectory = null;
            }
        } catch (Exception e) {
            close();
            throw new IOException("cannot serve the API on " + address + ": " + e.getMessage(), e);
        }
        LOG.log(Level.INFO, "API listening on {0}", address);
    }

    /** The tcp port actually bound (useful with port 0), or -1 for unix. */
    public int localPort() {
        return connector instanceof ServerConnector tcp ? tcp.getLocalPort() : -1;
    }

    public ListenAddress address() {
        return address;
    }

    /** Stops the server and removes the socket file it created. Idempotent. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "stopping the API on " + address + " failed", e);
        }
        try {
            if (published) {
                Files.deleteIfExists(address.unixPath());
                published = false;
            }
            if (privateDirectory != null) {
                Files.deleteIfExists(privateDirectory.resolve("s"));
                Files.deleteIfExists(privateDirectory);
                privateDirectory = null;
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove the socket file of " + address, e);
        }
        LOG.log(Level.DEBUG, "API on {0} stopped", address);
    }
}
