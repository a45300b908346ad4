package io.tapvsock.service.sshforward;

import io.tapvsock.service.sshforward.core.SshForward;
import io.tapvsock.service.sshforward.core.SshForwardConfig;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One forward per factory configuration of {@value SshForwardConfig#FACTORY_PID}: the launcher writes one for each
 * -forward-sock/-forward-dest/-forward-user/-forward-identity quadruple, and a file
 * {@code config/io.tapvsock.service.sshforward-NAME.cfg} works the same. A configuration that fails validation
 * when the component starts fails its activation with the reason; a later edit that fails is refused with a
 * logged reason and the forward in force stays.
 */
@Component(configurationPid = SshForwardConfig.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = SshForwardComponent.class)
@Designate(ocd = SshForwardComponent.Config.class, factory = true)
public final class SshForwardComponent {

    private static final System.Logger LOG = System.getLogger(SshForwardComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock SSH socket forward",
            description = "A host unix socket carried over SSH to a unix socket in the guest (gvproxy -forward-*)")
    public @interface Config {
        @AttributeDefinition(description = "Host unix socket to listen on, /path or unix:///path (mode 0600)")
        String socket();

        @AttributeDefinition(description = "Unix socket path inside the guest")
        String dest();

        @AttributeDefinition(description = "SSH user on the guest")
        String user();

        @AttributeDefinition(description = "Private key file (no passphrase) for the SSH user")
        String identity();
    }

    private final SshForwards forwards;
    private SshForward forward;

    @Activate
    public SshForwardComponent(@Reference(name = "forwards") SshForwards forwards, Map<String, Object> properties)
            throws IOException {
        this.forwards = forwards;
        this.forward = forwards.open(SshForwardConfig.fromProperties(properties));
    }

    @Modified
    synchronized void modified(Map<String, Object> properties) {
        SshForwardConfig next;
        try {
            next = SshForwardConfig.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "SSH forward configuration refused, " + forward.config().socket() + " stays: "
                    + e.getMessage());
            return;
        }
        if (next.equals(forward.config())) {
            return;
        }
        forwards.close(forward);
        try {
            forward = forwards.open(next);
        } catch (IOException e) {
            LOG.log(Level.ERROR, "SSH forward " + next.socket() + " not opened: " + e.getMessage());
            throw new IllegalStateException(e.getMessage(), e); // SCR deactivates the component
        }
    }

    @Deactivate
    synchronized void deactivate() {
        forwards.close(forward);
    }
}
