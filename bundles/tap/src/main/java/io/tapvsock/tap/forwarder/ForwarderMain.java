package io.tapvsock.tap.forwarder;

import io.tapvsock.tap.NetworkNamespace;
import io.tapvsock.tap.TapDevice;
import java.io.IOException;
import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The guest-side forwarder ({@code bin/tapvsock-forwarder}, or {@code java -jar tapvsock-tap.jar}): a drop-in
 * for gvisor-tap-vsock's gvforwarder. It creates a TAP (default tap0), gives it the MAC and MTU, brings it up,
 * connects to the daemon ({@link Endpoint}: vsock, unix and stdio URLs as gvforwarder, plus tapvsock's own) and
 * relays frames, reconnecting every second while the TAP stays, and runs a DHCP client on the TAP once connected
 * (unless -preexisting or -dhcp=false).
 *
 * <p>Exit status: 0 after -h/-help, -version, a present -stop-if-exist interface, or SIGTERM/SIGINT; 2 for a
 * command line Go's flag package or the forwarder refuses (the message names the flag); 1 when the TAP cannot
 * be opened or fails later.
 */
public final class ForwarderMain {

    private ForwarderMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    /** Runs the forwarder; returns the exit status (a signal ends the JVM with 0 from the shutdown hook). */
    static int run(String[] args, PrintStream err) {
        ForwarderOptions options;
        Endpoint endpoint;
        try {
            options = ForwarderOptions.parse(args);
            if (options.version()) {
                System.out.println(ForwarderOptions.PROGRAM + " version " + version());
                return 0;
            }
            endpoint = Endpoint.parse(options.url());
        } catch (FlagException e) {
            if (e.isHelp()) {
                err.print(ForwarderOptions.usage());
                return 0;
            }
            err.println(e.getMessage());
            err.print(ForwarderOptions.usage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println(ForwarderOptions.PROGRAM + ": " + e.getMessage());
            return 2;
        }

        Handler console = consoleHandler(options.debug(), err);
        Logger log = Logger.getLogger(ForwarderMain.class.getPackageName());
        for (String name : options.stopInterfaces()) {
            if (NetworkNamespace.hasInterface(name)) {
                log.info("interface " + name + " prevented this program to run");
                return 0;
            }
        }

        TapDevice tap;
        try {
            tap = TapDevice.open(options.tapConfig(endpoint.offersVnet()));
        } catch (IOException e) {
            log.severe("cannot open TAP device: " + e.getMessage());
            return 1;
        }
        log.info(options.preexisting() ? "attached to " + tap.name()
                : "configured " + tap.name() + (options.mac().isEmpty() ? "" : " mac " + options.mac())
                        + " mtu " + options.mtu() + " up");

        DhcpClient dhcp = options.runsDhcp() ? new DhcpClient(tap.name(), log) : null;
        FrameRelay relay = new FrameRelay(tap, endpoint, log, dhcp != null ? dhcp::start : () -> { });
        Thread onSignal = new Thread(() -> {
            // Straight to the handler: LogManager's own shutdown hook may be detaching it from the loggers.
            console.publish(new LogRecord(Level.INFO, "signal received: closing " + tap.name()));
            relay.close();
            if (dhcp != null) {
                dhcp.stop();
            }
            console.flush();
            // SIGTERM/SIGINT is a clean shutdown: exit 0, not the JVM's 128+signal.
            Runtime.getRuntime().halt(0);
        }, "forwarder-shutdown");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            relay.run();
            return 0;
        } catch (IOException e) {
            log.severe("forwarder stopped: " + e.getMessage());
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException e) {
                // shutdown already under way: the hook finishes the job
            }
            if (dhcp != null) {
                dhcp.stop();
            }
        }
    }

    /** Installs JUL output to err, one line per record; FINE and frame summaries with -debug. */
    private static Handler consoleHandler(boolean debug, PrintStream err) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        // Flushed per record like ConsoleHandler, and never closes err (LogManager closes handlers at exit).
        Handler handler = new StreamHandler(err, new OneLineFormatter(debug)) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }

            @Override
            public synchronized void close() {
                flush();
            }
        };
        Level level = debug ? Level.FINE : Level.INFO;
        handler.setLevel(level);
        root.addHandler(handler);
        root.setLevel(level);
        return handler;
    }

    private static String version() {
        String version = ForwarderMain.class.getPackage().getImplementationVersion();
        return version != null ? version : "unknown";
    }
}
