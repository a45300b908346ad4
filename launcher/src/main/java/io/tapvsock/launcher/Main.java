package io.tapvsock.launcher;

import io.tapvsock.api.NetworkSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * bin/tapvsock and bin/gvproxy: parse the command line (gvproxy's flags, Go's rules), then print the version or
 * the usage, run one command in a running daemon ({@code -exec}), or run the daemon.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(programName(), List.of(args), System.out, System.err));
    }

    /** The name the launcher was started as (bin/gvproxy or bin/tapvsock), which Go's usage shows. */
    static String programName() {
        String launcher = System.getProperty("jpackage.app-path");
        return launcher == null ? "tapvsock" : Path.of(launcher).getFileName().toString();
    }

    static int run(String program, List<String> args, PrintStream out, PrintStream err) {
        DaemonOptions options;
        NetworkSettings network;
        Layout layout = Layout.fromSystemProperties();
        try {
            options = DaemonOptions.parse(program, args);
            if (options.version()) {
                out.println(Version.line(program));
                return 0;
            }
            if (options.exec() != null) {
                return exec(options, out, err);
            }
            network = validateNetwork(options, layout);
        } catch (Flags.HelpRequested e) {
            err.print(DaemonOptions.grammar(program).usage()); // Go prints the usage to stderr and exits 0
            return 0;
        } catch (FlagException e) {
            err.println(e.getMessage());
            if (e.showUsage()) {
                err.print(DaemonOptions.grammar(program).usage());
            }
            return FlagException.EXIT_STATUS;
        }
        if (options.listenStdio() != null) {
            // Stdout carries the guest's frames (the stdio transport writes fd 1 itself): whatever anything
            // prints goes to stderr instead.
            System.setOut(err);
        }
        try {
            Logging.configure(options.logFile(), options.debug(), !options.shell());
            if (options.config() != null && options.config().logLevel() != null && !options.debug()) {
                Logging.setLevel(options.config().logLevel());
            }
        } catch (IOException e) {
            err.println("-log-file " + options.logFile() + ": " + e.getMessage());
            return FlagException.EXIT_STATUS;
        }
        return new Daemon(program, options, network, layout, err).run();
    }

    /** The network settings in force at start; an error about a value from -config names its field. */
    private static NetworkSettings validateNetwork(DaemonOptions options, Layout layout) throws FlagException {
        NetworkSettings settings;
        try {
            settings = NetworkFlags.validate(options.networkProperties(), layout.configDir().resolve(NetworkFlags.FILE_NAME));
        } catch (FlagException e) {
            throw options.config() == null ? e : options.config().attribute(e);
        }
        if (options.config() != null) {
            options.config().checkStaticLeases(settings);
        }
        return settings;
    }

    private static int exec(DaemonOptions options, PrintStream out, PrintStream err) throws FlagException {
        Path dir = RuntimeDir.locate(System.getenv(), RuntimeDir.uid());
        Path socket = RuntimeDir.findControlSocket(options.control(), options.pid(), dir,
                pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        try {
            return ControlClient.exec(socket, options.exec(), out);
        } catch (IOException e) {
            err.println("-exec: cannot reach the daemon at " + socket + ": " + e.getMessage());
            return FlagException.EXIT_STATUS;
        }
    }
}
