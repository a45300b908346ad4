package io.tapvsock.launcher;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Transports shipped in extras/ rather than bundle/ (not everyone needs them): a flag that needs one installs
 * it from there, unless a bundle with that symbolic name is already installed (copied into bundle/, say).
 */
final class ExtraBundles {

    private static final System.Logger LOG = System.getLogger(ExtraBundles.class.getName());

    private ExtraBundles() {
    }

    /**
     * Makes sure the bundle {@code symbolicName} is installed and started, from {@code extras/jarName} if needed.
     *
     * @throws StartupException when it is in neither place or does not start
     */
    static void ensureStarted(BundleContext context, Layout layout, String symbolicName, String jarName)
            throws StartupException {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return; // installed from bundle/ (FileInstall starts it) or earlier from extras/
            }
        }
        Path jar = layout.extrasDir().resolve(jarName);
        if (!Files.isRegularFile(jar)) {
            throw new StartupException("bundle " + symbolicName + " is installed neither from bundle/ nor from "
                    + jar);
        }
        try {
            Bundle bundle = context.installBundle(jar.toUri().toString());
            bundle.start();
            LOG.log(Level.INFO, "installed {0} from {1}", symbolicName, jar);
        } catch (BundleException | RuntimeException e) {
            throw new StartupException("bundle " + symbolicName + " from " + jar + " did not start: "
                    + e.getMessage());
        }
    }
}
