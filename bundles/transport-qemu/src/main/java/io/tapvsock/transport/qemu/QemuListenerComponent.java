package io.tapvsock.transport.qemu;

import io.tapvsock.api.ListenAddress;
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
 * One qemu listener per factory configuration of {@value #PID}. A changed configuration restarts it (no
 * modified method); deleting the configuration or stopping the bundle closes it and removes its socket file.
 */
@Component(configurationPid = QemuListenerComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = QemuListenerComponent.Config.class, factory = true)
public final class QemuListenerComponent {

    public static final String PID = "io.tapvsock.transport.qemu";
    /** MTU 65535 plus the 14-byte Ethernet header. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 65550;

    private static final System.Logger LOG = System.getLogger(QemuListenerComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock qemu transport",
            description = "A listener for QEMU's stream netdev: Ethernet frames with a 4-byte big-endian length")
    public @interface Config {

        @AttributeDefinition(description = "unix:///path/to/socket (must not exist yet) or tcp://host:port")
        String listen();

        @AttributeDefinition(description = "Largest frame accepted or sent, in bytes; a longer one closes the connection")
        int maxFrameSize() default DEFAULT_MAX_FRAME_SIZE;

        @AttributeDefinition(description = "Let tapvsock's forwarder switch its connection to virtio-net headers "
                + "(checksum and TCP segmentation offload) with a hello frame; QEMU and gvforwarder never ask")
        boolean offload() default true;
    }

    private final QemuTransportStatus status;
    private final QemuListener listener;

    @Activate
    public QemuListenerComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "status") QemuTransportStatus status, Config config)
            throws IOException {
        this.status = status;
        try {
            listener = new QemuListener(network, ListenAddress.parse(config.listen()), config.maxFrameSize(),
                    config.offload(), status.counters());
            listener.start();
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "qemu transport not started: {0}", e.getMessage());
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
