package io.tapvsock.launcher;

import io.tapvsock.api.DaemonReady;
import io.tapvsock.api.NetworkSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

/**
 * The daemon's life. Startup, in this order (compat.md section 8: a transport's socket file is the readiness
 * signal, so it comes last): pid file; framework and every bundle; the control socket; the network flags
 * configuration; the capture (-pcap) and notifications (-notification); the virtual network (with the flags in
 * force) and DHCP; the -forward-sock sockets; the API endpoints; the transport listeners; "ready" (the
 * {@link DaemonReady} marker service). Any step that fails or does not finish in time ends startup with a message naming the cause.
 * SIGTERM/SIGINT stop the framework (listeners close and remove their socket files), then the pid file, the
 * control socket and the default state directory go, and the process exits 0.
 */
final class Daemon {

    /** A stop was requested while starting: not an error. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stop requested", null, false, false);
        }
    }

    /** How long one startup step may take. Generous: the machine may be loaded; a hang still ends. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 20;

    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

    private final String program;
    private final DaemonOptions options;
    private final NetworkSettings expectedNetwork;
    private final Layout layout;
    private final PrintStream console;
    private final long pid = ProcessHandle.current().pid();

    private volatile boolean stopping;
    private volatile Framework framework;
    private volatile ControlServer control;
    private Path ownStateDir;
    private boolean cleanedUp;

    /**
     * @param expectedNetwork the settings the flags and the file amount to, already validated
     * @param console where a startup failure is reported besides the log (the real stderr)
     */
    Daemon(String program, DaemonOptions options, NetworkSettings expectedNetwork, Layout layout,
            PrintStream console) {
        this.program = program;
        this.options = options;
        this.expectedNetwork = expectedNetwork;
        this.layout = layout;
        this.console = console;
    }

    /** Runs until stopped; returns the exit status. */
    int run() {
        Signals.onTermination(this::requestStop);
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp, "tapvsock-shutdown"));
        try {
            start();
            framework.waitForStop(0);
            LOG.info("stopped");
            return 0;
        } catch (Stopped e) {
            LOG.info("stopped while starting");
            return 0;
        } catch (StartupException e) {
            LOG.log(Level.SEVERE, "startup failed: " + e.getMessage(), e.getCause());
            if (options.logFile() != null) {
                console.println(program + ": " + e.getMessage());
            }
            return e.exitStatus();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (IOException | RuntimeException e) {
            if (frameworkStoppedItself()) {
                // A bundle ended the daemon while it started, e.g. -listen-stdio with stdin already at its end.
                LOG.info("stopped while starting: the framework was stopped from inside");
                return 0;
            }
            LOG.log(Level.SEVERE, "startup failed: " + e, e);
            if (options.logFile() != null) {
                console.println(program + ": " + e);
            }
            return 1;
        } finally {
            cleanUp();
        }
    }

    private void start() throws StartupException, IOException, InterruptedException {
        if (options.pidFile() != null) {
            try {
                PidFile.write(options.pidFile(), pid);
            } catch (IOException e) {
                throw new StartupException("-pid-file " + options.pidFile() + ": " + e, 2, e);
            }
        }
        Path runtimeDir = RuntimeDir.create(RuntimeDir.locate(System.getenv(), RuntimeDir.uid()));
        RuntimeDir.sweep(runtimeDir, Daemon::alive);
        Path stateDir = options.stateDir();
        if (stateDir == null) {
            stateDir = ownStateDir = RuntimeDir.stateDir(runtimeDir, pid);
        }
        Files.createDirectories(stateDir);

        long t0 = System.nanoTime();
        framework = OsgiFramework.start(layout, OsgiFramework.properties(layout, stateDir, options.debug(),
                options.shell()));
        if (stopping) {
            throw new Stopped();
        }
        BundleContext context = framework.getBundleContext();
        OsgiFramework.awaitBundles(context, layout, deadline(), () -> stopping);
        LOG.fine(() -> "framework and bundles started in " + millisSince(t0) + " ms");

        Path controlPath = options.control() != null ? options.control() : RuntimeDir.controlSocket(runtimeDir, pid);
        control = ControlServer.start(controlPath, new GogoCommands(context));

        Configurations configurations = Configurations.await(context, deadline());
        startObservers(configurations);
        startNetwork(context, configurations);
        LOG.fine(() -> "network and DHCP up after " + millisSince(t0) + " ms");
        List<String> listeners = startListeners(context, configurations);
        // -notification's "ready", and anyone else's: the transport sockets exist now.
        context.registerService(Object.class, new Object(),
                FrameworkUtil.asDictionary(Map.of(DaemonReady.PROPERTY, Boolean.TRUE)));

        // The JVM's start, not the process's: a script that execs the launcher (run.sh) keeps its pid and start time.
        Instant began = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        LOG.info(() -> "ready in " + Duration.between(began, Instant.now()).toMillis() + " ms: "
                + (listeners.isEmpty() ? "no listeners" : String.join(", ", listeners)) + "; control socket "
                + control.path());
    }

    /**
     * -pcap and -notification, before the network starts: the capture sees the first frame, the notifications
     * the first guest. Each waits for its component, so a file or socket it refuses ends startup with the reason.
     */
    private void startObservers(Configurations configurations)
            throws StartupException, IOException, InterruptedException {
        ComponentStates components = new ComponentStates(framework.getBundleContext());
        if (options.pcap() != null) {
            configurations.set(Configurations.CAPTURE_PID,
                    Map.of(Configurations.CAPTURE_FILE, options.pcap().toString()));
            awaitListener(components, Configurations.CAPTURE_PID, Configurations.CAPTURE_PID,
                    "-pcap " + options.pcap(), null);
        }
        if (options.notification() != null) {
            configurations.set(Configurations.NOTIFICATION_PID,
                    Map.of(Configurations.NOTIFICATION_SOCKET, options.notification().text()));
            awaitListener(components, Configurations.NOTIFICATION_PID, Configurations.NOTIFICATION_PID,
                    "-notification " + options.notification().text(), null);
        }
    }

    /** The network flags, then the virtual network running with them, then DHCP. */
    private void startNetwork(BundleContext context, Configurations configurations)
            throws StartupException, IOException, InterruptedException {
        if (!options.networkProperties().isEmpty()) {
            configurations.set(NetworkSettings.FLAGS_PID, options.networkProperties());
        }
        awaitService(context, "(objectClass=io.tapvsock.api.VirtualNetwork)",
                "the virtual network (bundle io.tapvsock.stack) with the network flags in force",
                this::hasExpectedSettings);
        // A -config file's DHCP and DNS fields: the services show the marker once they run with them.
        String marker = UUID.randomUUID().toString();
        String configured = "";
        if (options.config() != null) {
            configurations.set(Configurations.DHCP_PID, ConfigFileProperties.dhcp(options.config(),
                    loadedByFileInstall(configurations, Configurations.DHCP_PID), marker));
            configurations.set(Configurations.DNS_PID, ConfigFileProperties.dns(options.config(),
                    loadedByFileInstall(configurations, Configurations.DNS_PID), marker));
            configured = "(" + ConfigFileProperties.MARKER + "=" + marker + ")";
        }
        awaitService(context, "(&(objectClass=io.tapvsock.api.GatewayUdpService)(tapvsock.udp.port=67)" + configured
                + ")", "the DHCP service (bundle io.tapvsock.service.dhcp)", service -> true);
        awaitService(context, "(&(objectClass=io.tapvsock.api.GatewayUdpService)(tapvsock.udp.port=53)" + configured
                + ")", "the DNS service (bundle io.tapvsock.service.dns)", service -> true);
        // -ssh-port: podman dials it as soon as the transport socket exists, so the forward opens before that.
        configurations.set(Configurations.FORWARDER_FLAGS_PID,
                ConfigFileProperties.forwarderFlags(options.config(), options.sshPort(), marker));
        awaitService(context, "(&(objectClass=io.tapvsock.api.StatsSource)(tapvsock.stats.name=service-forwarder)("
                + Configurations.SSH_PORT + "=" + options.sshPort() + ")" + configured + ")",
                "the port forwarder (bundle io.tapvsock.service.forwarder) with -ssh-port " + options.sshPort(),
                service -> true);
    }

    /**
     * The properties FileInstall loaded for {@code pid} from config/, once it has (its scan may run after
     * ConfigurationAdmin appeared); empty when config/ has no file for it. Writing before that would be undone.
     */
    private Map<String, Object> loadedByFileInstall(Configurations configurations, String pid)
            throws StartupException, IOException, InterruptedException {
        Path file = layout.configDir().resolve(pid + ".cfg");
        Deadline deadline = deadline();
        while (true) {
            Map<String, Object> current = configurations.current(pid);
            if (!Files.exists(file) || current.containsKey(Configurations.FILEINSTALL_FILENAME)) {
                return current;
            }
            checkProgress(deadline, "timed out after " + STEP_TIMEOUT.toSeconds() + " s waiting for FileInstall to "
                    + "load " + file);
        }
    }

    /** The API endpoints, then the transport listeners (last: their socket files mean "ready"). */
    private List<String> startListeners(BundleContext context, Configurations configurations)
            throws StartupException, IOException, InterruptedException {
        ComponentStates components = new ComponentStates(context);
        List<String> started = new ArrayList<>();
        // -forward-sock: podman pings it right after the transport socket appears, so it listens before that
        // (its SSH session comes up on its own once the guest's sshd answers).
        for (int i = 0; i < options.forwards().size(); i++) {
            ForwardFlag forward = options.forwards().get(i);
            String configPid = configurations.setFactory(Configurations.SSH_FORWARD_PID, "forward-" + i,
                    forward.properties());
            awaitListener(components, configPid, Configurations.SSH_FORWARD_PID, "-forward-sock " + forward.socket(),
                    forward.socketPath());
            started.add("ssh forward " + forward.socket() + " -> " + forward.dest());
        }
        for (int i = 0; i < options.listen().size(); i++) {
            ListenUrl url = options.listen().get(i);
            if (url.isVsock()) {
                String configPid = configurations.setFactory(Configurations.VSOCK_TRANSPORT_PID, "listen-" + i,
                        Map.of(Configurations.LISTEN, url.text()));
                awaitListener(components, configPid, Configurations.VSOCK_TRANSPORT_PID, "-listen " + url.text(),
                        null);
                started.add("vsock " + url.text());
                continue;
            }
            String configPid = configurations.setFactory(Configurations.HTTP_ENDPOINT_PID, "listen-" + i,
                    Map.of(Configurations.LISTEN, url.text()));
            awaitListener(components, configPid, Configurations.HTTP_ENDPOINT_PID, "-listen " + url.text(),
                    url.socketPath());
            started.add("API " + url.text());
        }
        if (options.services() != null) {
            ListenUrl url = options.services();
            String configPid = configurations.setFactory(Configurations.HTTP_ENDPOINT_PID, "services",
                    Map.of(Configurations.LISTEN, url.text(), Configurations.CONNECT, false));
            awaitListener(components, configPid, Configurations.HTTP_ENDPOINT_PID, "-services " + url.text(),
                    url.socketPath());
            started.add("API without /connect " + url.text());
        }
        if (options.listenQemu() != null) {
            ListenUrl url = options.listenQemu();
            String configPid = configurations.setFactory(Configurations.QEMU_TRANSPORT_PID, "listen-qemu",
                    Map.of(Configurations.LISTEN, url.text()));
            awaitListener(components, configPid, Configurations.QEMU_TRANSPORT_PID, "-listen-qemu " + url.text(),
                    url.socketPath());
            started.add("qemu " + url.text());
        }
        if (options.listenBess() != null) {
            ListenUrl url = options.listenBess();
            String configPid = configurations.setFactory(Configurations.BESS_TRANSPORT_PID, "listen-bess",
                    Map.of(Configurations.LISTEN, url.text()));
            awaitListener(components, configPid, Configurations.BESS_TRANSPORT_PID, "-listen-bess " + url.text(),
                    url.socketPath());
            started.add("bess " + url.text());
        }
        if (options.listenVfkit() != null) {
            ListenUrl url = options.listenVfkit();
            ExtraBundles.ensureStarted(context, layout, "io.tapvsock.transport.vfkit", "tapvsock-transport-vfkit.jar");
            String configPid = configurations.setFactory(Configurations.VFKIT_TRANSPORT_PID, "listen-vfkit",
                    Map.of(Configurations.LISTEN, url.text()));
            awaitListener(components, configPid, Configurations.VFKIT_TRANSPORT_PID, "-listen-vfkit " + url.text(),
                    url.socketPath());
            started.add("vfkit " + url.text());
        }
        if (options.listenVpnkit() != null) {
            ListenUrl url = options.listenVpnkit();
            String configPid = configurations.setFactory(Configurations.VPNKIT_TRANSPORT_PID, "listen-vpnkit",
                    ConfigFileProperties.vpnkit(options.config(), url.text()));
            awaitListener(components, configPid, Configurations.VPNKIT_TRANSPORT_PID,
                    "-listen-vpnkit " + url.text(), url.socketPath());
            started.add("vpnkit " + url.text());
        }
        if (options.listenStdio() != null) {
            // The stdio component stops the framework when stdin ends: run() then returns 0.
            configurations.set(Configurations.STDIO_TRANSPORT_PID,
                    Map.of(Configurations.LISTEN, options.listenStdio()));
            awaitListener(components, Configurations.STDIO_TRANSPORT_PID, Configurations.STDIO_TRANSPORT_PID,
                    "-listen-stdio " + options.listenStdio(), null);
            started.add("stdio");
        }
        for (int i = 0; i < options.listenTap().size(); i++) {
            TapFlag tap = options.listenTap().get(i);
            String configPid = configurations.setFactory(Configurations.TAP_TRANSPORT_PID, "listen-tap-" + i,
                    tap.properties());
            awaitListener(components, configPid, Configurations.TAP_TRANSPORT_PID, "-listen-tap " + tap.text(), null);
            started.add("tap " + tap.text());
        }
        return started;
    }

    /** Did a bundle stop the framework (no signal did)? Then startup errors are only its echo. */
    private boolean frameworkStoppedItself() {
        Framework current = framework;
        return !stopping && current != null
                && (current.getState() & (org.osgi.framework.Bundle.STOPPING | org.osgi.framework.Bundle.RESOLVED)) != 0;
    }

    /** A stop from a signal: stopping the framework wakes {@link #run}, which cleans up. */
    private void requestStop() {
        if (stopping) {
            return;
        }
        stopping = true;
        startStopWatchdog();
        Framework current = framework;
        if (current != null) {
            try {
                current.stop();
            } catch (BundleException | IllegalStateException e) {
                LOG.log(Level.WARNING, "stopping the framework: " + e.getMessage());
            }
        }
    }

    /** A bundle that hangs in its stop must not keep a signalled daemon alive: give up after a while. */
    private void startStopWatchdog() {
        Duration grace = STOP_TIMEOUT.plusSeconds(5);
        Thread.ofPlatform().daemon().name("tapvsock-stop-watchdog").start(() -> {
            try {
                Thread.sleep(grace);
            } catch (InterruptedException e) {
                return;
            }
            LOG.severe("did not stop within " + grace.toSeconds() + " s: exiting anyway");
            if (options.pidFile() != null) {
                PidFile.remove(options.pidFile(), pid);
            }
            ControlServer current = control;
            if (current != null) {
                current.close();
            }
            Runtime.getRuntime().halt(1);
        });
    }

    /** Stops the framework if it still runs, then removes what this process created. Idempotent. */
    private synchronized void cleanUp() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        Framework current = framework;
        if (current != null) {
            try {
                current.stop();
                current.waitForStop(STOP_TIMEOUT.toMillis());
            } catch (BundleException | IllegalStateException e) {
                LOG.log(Level.WARNING, "stopping the framework: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (control != null) {
            control.close();
        }
        if (options.pidFile() != null) {
            PidFile.remove(options.pidFile(), pid);
        }
        if (ownStateDir != null) {
            try {
                RuntimeDir.deleteTree(ownStateDir);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot remove " + ownStateDir + ": " + e.getMessage());
            }
        }
    }

    /** Does this VirtualNetwork run with the settings the flags ask for? (It restarts when they change.) */
    private boolean hasExpectedSettings(Object network) {
        try {
            Object settings = Reflection.invoke(network, "io.tapvsock.api.VirtualNetwork", "settings");
            Map<?, ?> actual = (Map<?, ?>) settings.getClass().getMethod("toProperties").invoke(settings);
            Map<String, Object> expected = expectedNetwork.toProperties();
            for (String key : options.networkProperties().keySet()) {
                if (!Objects.equals(text(expected.get(key)), text(actual.get(key)))) {
                    return false;
                }
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "cannot read the network's settings: " + e);
            return false;
        }
    }

    private void awaitService(BundleContext context, String filter, String what, Predicate<Object> acceptable)
            throws StartupException, InterruptedException {
        Deadline deadline = deadline();
        while (true) {
            ServiceReference<?>[] references;
            try {
                // "All": the launcher's class path holds its own copy of the api, so the system bundle would not
                // count the bundles' VirtualNetwork as assignable; we only call it by reflection anyway.
                references = context.getAllServiceReferences(null, filter);
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
            for (ServiceReference<?> reference : references == null ? new ServiceReference<?>[0] : references) {
                Object service = context.getService(reference);
                try {
                    if (service != null && acceptable.test(service)) {
                        return;
                    }
                } finally {
                    context.ungetService(reference);
                }
            }
            checkProgress(deadline, "timed out after " + STEP_TIMEOUT.toSeconds() + " s waiting for " + what);
        }
    }

    /**
     * Waits for the component that {@code configPid} configures to be active and, when {@code socketPath} is not
     * null (a unix URL), for that socket file to exist.
     */
    private void awaitListener(ComponentStates components, String configPid, String factoryPid, String what,
            Path socketPath) throws StartupException, InterruptedException {
        Deadline deadline = deadline();
        while (true) {
            var state = components.find(configPid);
            if (state.isPresent()) {
                ComponentStates.State s = state.get();
                if (s.state() == ComponentStates.ACTIVE
                        && (socketPath == null || Files.exists(socketPath))) {
                    return;
                }
                if (s.state() == ComponentStates.FAILED_ACTIVATION) {
                    throw new StartupException(what + ": " + firstLine(s.failure()));
                }
            }
            String reason = state.map(s -> !s.unsatisfiedReferences().isEmpty()
                            ? s.component() + " is waiting for " + String.join(", ", s.unsatisfiedReferences())
                            : s.component() + " is in state " + s.state())
                    .orElse("no component took configuration " + configPid + " (is the bundle serving "
                            + factoryPid + " in bundle/?)");
            checkProgress(deadline, what + " did not start within " + STEP_TIMEOUT.toSeconds() + " s: " + reason);
        }
    }

    private void checkProgress(Deadline deadline, String timeoutMessage)
            throws StartupException, InterruptedException {
        if (stopping) {
            throw new Stopped();
        }
        if (deadline.expired()) {
            throw new StartupException(timeoutMessage);
        }
        Thread.sleep(POLL_MILLIS);
    }

    /** A settings value as text; lists (nat, gatewayVirtualIPs) joined. */
    private static String text(Object value) {
        return value instanceof String[] items ? String.join(",", items) : String.valueOf(value);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static Deadline deadline() {
        return Deadline.in(STEP_TIMEOUT);
    }

    private static String firstLine(String text) {
        if (text == null || text.isBlank()) {
            return "activation failed";
        }
        String line = text.strip().lines().findFirst().orElse(text);
        // "java.net.BindException: Address already in use" reads better without the package.
        return line.replaceFirst("^(?:[a-z_][a-z0-9_]*\\.)+(?=[A-Z])", "");
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
