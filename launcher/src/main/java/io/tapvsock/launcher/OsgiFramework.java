package io.tapvsock.launcher;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Starts Felix with the distribution's bundles. The launcher installs FileInstall alone; FileInstall owns
 * bundle/ and config/: its first scan (done synchronously while it starts, {@code noInitialDelay}) installs and
 * starts every other jar and loads every configuration file, and later scans (each second) pick up jars copied in
 * and configuration edits. Installing bundle/ here as well would make FileInstall "update" each bundle once more,
 * since it only trusts the checksums it stored itself. FileInstall's own jar is kept out of its scans by a filter.
 */
final class OsgiFramework {

    private static final String FILEINSTALL_PREFIX = "org.apache.felix.fileinstall-";

    /** Packages the launcher's class path provides to bundles (see the launcher's pom). */
    static final String SYSTEM_PACKAGES_EXTRA = String.join(",",
            "org.slf4j;version=2.0.17",
            "org.slf4j.spi;version=2.0.17",
            "org.slf4j.event;version=2.0.17",
            "org.slf4j.helpers;version=2.0.17",
            "org.osgi.service.cm;version=1.6.1");

    private OsgiFramework() {
    }

    /**
     * The framework properties.
     *
     * @param storage the framework's cache, emptied at start
     * @param shell whether the Gogo console runs on the terminal
     */
    static Map<String, Object> properties(Layout layout, Path storage, boolean debug, boolean shell) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(Constants.FRAMEWORK_STORAGE, storage.resolve("felix").toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // What outlives a restart with the same -state-dir (the DHCP leases): the framework cache above does not.
        properties.put("tapvsock.state.dir", storage.toString());
        properties.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SYSTEM_PACKAGES_EXTRA);
        properties.put("felix.log.logger", new FelixLogger());
        properties.put("felix.log.level", debug ? "3" : "2");

        properties.put("felix.fileinstall.dir", layout.bundleDir() + "," + layout.configDir());
        // A regular expression without backslashes: FileInstall runs its properties through variable substitution.
        properties.put("felix.fileinstall.filter", "^(?!" + FILEINSTALL_PREFIX.replace(".", "[.]") + ").*");
        properties.put("felix.fileinstall.noInitialDelay", "true");
        properties.put("felix.fileinstall.poll", "1000");
        // Refresh only what FileInstall manages: its default ("all") would refresh FileInstall itself while its
        // first scan runs inside its own start, once configadmin appears to satisfy an optional import.
        properties.put("felix.fileinstall.optionalImportRefreshScope", "managed");
        properties.put("felix.fileinstall.fragmentRefreshScope", "managed");
        // The files in config/ are the user's, with comments: never write configuration changes back into them.
        properties.put("felix.fileinstall.enableConfigSave", "false");
        properties.put("felix.fileinstall.tmpdir", storage.resolve("fileinstall").toString());
        properties.put("felix.fileinstall.log.default", "jul");
        properties.put("felix.fileinstall.log.level", debug ? "3" : "2");

        // SCR's debug level is thousands of lines per start: -debug is about our bundles, so SCR stays at warn.
        properties.put("ds.loglevel", "warn");
        // A delayed component stays once made: by default SCR disposes of it when its last user lets go, so the
        // launcher's readiness check built the DHCP and DNS servers (lease file read, sockets) only for them to be
        // built again by their first real user.
        properties.put("ds.delayed.keepInstances", "true");
        // Without --shell the Gogo shell must neither read stdin nor stop the framework when its script ends.
        properties.put("gosh.args", shell ? "" : "--nointeractive --noshutdown");
        properties.put("gosh.home", storage.toString());
        return properties;
    }

    /**
     * Creates and starts the framework, FileInstall in it, and so every bundle in bundle/.
     *
     * @throws StartupException when FileInstall is missing or the framework does not start
     */
    static Framework start(Layout layout, Map<String, Object> properties) throws StartupException {
        Path fileInstall = fileInstallJar(layout);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new StartupException("no OSGi framework on the class path"));
        @SuppressWarnings({"unchecked", "rawtypes"}) // Felix takes object values (the logger) in this map
        Framework framework = factory.newFramework((Map) properties);
        try {
            framework.start();
            // Started from this thread, after the framework: FileInstall's first scan refreshes the bundles it
            // installed, which Felix does on its start-level thread, so that thread must not be the caller.
            framework.getBundleContext().installBundle(location(fileInstall)).start();
        } catch (BundleException e) {
            throw new StartupException("the OSGi framework did not start: " + e.getMessage(), 1, e);
        }
        return framework;
    }

    /**
     * Waits until every jar in bundle/ is installed at FileInstall's location for it and started (fragments:
     * resolved), and names the first one that is not, with the framework's reason.
     */
    static void awaitBundles(BundleContext context, Layout layout, Deadline deadline, BooleanSupplier stopping)
            throws StartupException, InterruptedException {
        List<Path> jars;
        try {
            jars = layout.bundleJars();
        } catch (IOException e) {
            throw new StartupException("cannot list " + layout.bundleDir() + ": " + e.getMessage());
        }
        while (true) {
            List<Path> pending = new ArrayList<>();
            for (Path jar : jars) {
                Bundle bundle = context.getBundle(location(jar));
                if (bundle == null || !isStarted(bundle)) {
                    pending.add(jar);
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (stopping.getAsBoolean()) {
                throw new Daemon.Stopped();
            }
            if (deadline.expired()) {
                throw new StartupException(notStarted(context, pending.getFirst()));
            }
            Thread.sleep(50);
        }
    }

    /** FileInstall's location string for a jar: its file URI, normalised. */
    static String location(Path jar) {
        File file = jar.toAbsolutePath().toFile();
        return file.toURI().normalize().toString();
    }

    private static boolean isStarted(Bundle bundle) {
        if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
            return bundle.getState() == Bundle.RESOLVED;
        }
        return bundle.getState() == Bundle.ACTIVE;
    }

    /** Why a bundle is not started: the framework's own answer to starting it. */
    private static String notStarted(BundleContext context, Path jar) {
        Bundle bundle = context.getBundle(location(jar));
        if (bundle == null) {
            return "bundle " + jar.getFileName() + " was not installed (not a valid bundle?)";
        }
        try {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.start();
            }
            return "bundle " + bundle.getSymbolicName() + " (" + jar.getFileName() + ") did not start";
        } catch (BundleException | IllegalStateException e) {
            return "bundle " + bundle.getSymbolicName() + " (" + jar.getFileName() + ") did not start: "
                    + e.getMessage();
        }
    }

    private static Path fileInstallJar(Layout layout) throws StartupException {
        try {
            return layout.bundleJars().stream()
                    .filter(jar -> jar.getFileName().toString().startsWith(FILEINSTALL_PREFIX))
                    .findFirst()
                    .orElseThrow(() -> new StartupException("no " + FILEINSTALL_PREFIX + "*.jar in " + layout.bundleDir()));
        } catch (IOException e) {
            throw new StartupException("cannot list " + layout.bundleDir() + ": " + e.getMessage());
        }
    }
}
