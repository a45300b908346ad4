package io.tapvsock.transport.bess;

import io.netty.buffer.ByteBufAllocator;
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
 * One bess listener per factory configuration of {@value #PID}. A changed configuration restarts it (no
 * modified method); deleting the configuration or stopping the bundle closes it and removes its socket file.
 */
@Component(configurationPid = BessListenerComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = BessListenerComponent.Config.class, factory = true)
public final class BessListenerComponent {

    public static final String PID = "io.tapvsock.transport.bess";
    /** MTU 65535 plus the 14-byte Ethernet header. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 65550;

    private static final System.Logger LOG = System.getLogger(BessListenerComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock bess transport",
            description = "A SOCK_SEQPACKET listener for User Mode Linux's vec0:transport=bess: one frame per message")
    public @interface Config {

        @AttributeDefinition(description = "unixpacket:///path/to/socket (must not exist yet)")
        String listen();

        @AttributeDefinition(description = "Largest frame accepted or sent, in bytes; a longer message closes the connection")
        int maxFrameSize() default DEFAULT_MAX_FRAME_SIZE;
    }

    private final BessTransportStatus status;
    private final BessListener listener;

    @Activate
    public BessListenerComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "status") BessTransportStatus status, Config config) throws IOException {
        this.status = status;
        try {
            listener = new BessListener(network, BessAddress.parse(config.listen()), config.maxFrameSize(),
                    status.counters(), ByteBufAllocator.DEFAULT);
            listener.start();
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "bess transport not started: {0}", e.getMessage());
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
