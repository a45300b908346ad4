package io.tapvsock.transport.vsock.impl;

import io.tapvsock.api.VirtualNetwork;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * gvproxy's {@code -listen-stdio}: while configuration {@value #PID} exists, the daemon's stdin and stdout carry
 * one guest link ({@link StdioLink}). When the link ends (stdin's end, stdout gone, a framing error) the daemon
 * has nothing left to do: this stops the OSGi framework, and the launcher exits with status 0 (WSL's forwarder
 * respawns the daemon). The launcher keeps stdout free of anything but frames.
 */
@Component(configurationPid = StdioComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = StdioComponent.Config.class)
public final class StdioComponent {

    public static final String PID = "io.tapvsock.transport.stdio";

    private static final System.Logger LOG = System.getLogger(StdioComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock stdio transport",
            description = "Ethernet frames with a 2-byte little-endian length on the daemon's stdin and stdout; "
                    + "the daemon stops when stdin ends")
    public @interface Config {

        @AttributeDefinition(description = "gvproxy's -listen-stdio value (\"accept\")")
        String listen() default "accept";
    }

    private final VsockTransportStatus status;
    private final BundleContext context;
    private final StdioLink link;
    private final Supplier<String> line;
    private volatile boolean deactivating;

    @Activate
    public StdioComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "status") VsockTransportStatus status, BundleContext context, Config config)
            throws IOException {
        this.status = status;
        this.context = context;
        link = new StdioLink(network, new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
                status.counters(), this::linkEnded);
        link.start();
        line = link::describe;
        status.add(line);
    }

    /** The link is gone for good (stdin cannot be reopened): stop the daemon, off the network loop. */
    private void linkEnded() {
        if (deactivating) {
            return;
        }
        Thread.ofPlatform().daemon().name("tapvsock-stdio-stop").start(() -> {
            LOG.log(Level.INFO, "stdio link ended: stopping the daemon");
            try {
                context.getBundle(0).stop();
            } catch (BundleException | IllegalStateException e) {
                LOG.log(Level.ERROR, "stdio link ended, but the framework did not stop: {0}", e.getMessage());
            }
        });
    }

    @Deactivate
    void deactivate() {
        deactivating = true;
        status.remove(line);
        link.close();
    }
}
