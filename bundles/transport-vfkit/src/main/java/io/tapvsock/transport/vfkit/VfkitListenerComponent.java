package io.tapvsock.transport.vfkit;

import io.tapvsock.api.VirtualNetwork;
import java.io.IOException;
import java.lang.System.Logger.Level;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One vfkit listener per factory configuration of {@value #PID}. A changed configuration restarts it; deleting
 * the configuration or stopping the bundle closes it and removes its socket file.
 */
@Component(configurationPid = VfkitListenerComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = VfkitListenerComponent.Config.class, factory = true)
public final class VfkitListenerComponent {

    public static final String PID = "io.tapvsock.transport.vfkit";
    /** MTU 65535 plus the 14-byte Ethernet header. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 65549;

    private static final System.Logger LOG = System.getLogger(VfkitListenerComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock vfkit transport",
            description = "A unix datagram socket for vfkit or QEMU's dgram netdev: one Ethernet frame per datagram")
    public @interface Config {

        @AttributeDefinition(description = "unixgram:///path/to/socket (must not exist yet)")
        String listen();

        @AttributeDefinition(description = "Largest frame accepted or sent, in bytes; a longer datagram is dropped")
        int maxFrameSize() default DEFAULT_MAX_FRAME_SIZE;
    }

    private final VfkitTransportStatus status;
    private final VfkitListener listener;

    @Activate
    public VfkitListenerComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "status") VfkitTransportStatus status, Config config) throws IOException {
        this.status = status;
        try {
            listener = new VfkitListener(network, config.listen(), config.maxFrameSize(), status.counters());
            listener.start();
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "vfkit transport not started: {0}", e.getMessage());
            throw e;
        }
        status.add(listener);
    }

    @Deactivate
    void deactivate() {
        status.remove(listener);
        listener.close();
    }
}
