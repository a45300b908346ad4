package io.tapvsock.service.notification;

import io.tapvsock.api.DaemonReady;
import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.PortListener;
import io.tapvsock.api.StatsSource;
import io.tapvsock.service.notification.core.Notification;
import io.tapvsock.service.notification.core.NotificationSender;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * gvproxy's {@code -notification unix:///path}: while configuration {@value #PID} names a socket, the daemon's
 * events go there as JSON lines, one connection each (compat.md section 4):
 * <ul>
 *   <li>{@code ready} when startup has finished (the launcher's {@link DaemonReady} marker appears, at the moment
 *       the transport sockets exist; a socket configured later hears it at once);</li>
 *   <li>{@code connection_established} with the MAC when a guest's link delivers its first frame (as gvproxy,
 *       which announces a VM when its MAC is learned);</li>
 *   <li>{@code hypervisor_error} with the MAC when that link fails (a transport error, broken framing), then</li>
 *   <li>{@code connection_closed} with the MAC when the link is gone.</li>
 * </ul>
 * A configuration change replaces the sender (the component is reactivated).
 */
@Component(configurationPid = NotificationComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {PortListener.class, StatsSource.class}, property = StatsSource.NAME + "=Notification")
@Designate(ocd = NotificationComponent.Config.class)
public final class NotificationComponent implements PortListener, StatsSource {

    public static final String PID = "io.tapvsock.service.notification";
    static final String SOCKET = "socket";

    private static final System.Logger LOG = System.getLogger(NotificationComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock notifications",
            description = "gvproxy's JSON events to a unix socket that is already listening")
    public @interface Config {
        @AttributeDefinition(description = "unix:///path of the listening socket")
        String socket();

        @AttributeDefinition(description = "Events waiting to be sent at most; beyond, events are dropped and counted")
        int queueLength() default NotificationSender.DEFAULT_QUEUE;
    }

    private final NotificationSender sender;

    @Activate
    public NotificationComponent(Config config) {
        Path socket = socketPath(config.socket());
        if (config.queueLength() < 1) {
            throw new IllegalArgumentException("queueLength " + config.queueLength() + " is not 1 or more");
        }
        sender = new NotificationSender(socket, config.queueLength());
        LOG.log(Level.INFO, "notifications go to unix://{0}", socket);
    }

    /** The path of a {@code unix:///path} URL; anything else is refused with a reason naming the field. */
    static Path socketPath(String url) {
        ListenAddress address;
        try {
            address = ListenAddress.parse(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SOCKET + ": \"" + url + "\" is not unix:///path");
        }
        if (!address.isUnix()) {
            throw new IllegalArgumentException(SOCKET + ": \"" + url + "\" is not unix:///path");
        }
        return address.unixPath();
    }

    /** The launcher's readiness marker: bound once startup has finished. */
    @Reference(service = Object.class, target = DaemonReady.FILTER, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, unbind = "notReady")
    void ready(Object marker) {
        sender.send(Notification.ready());
    }

    void notReady(Object marker) {
        // The daemon is stopping: gvproxy has no event for it.
    }

    @Override
    public void guestConnected(int portId, MacAddress mac, String description) {
        sender.send(new Notification(Notification.Type.CONNECTION_ESTABLISHED, mac));
    }

    @Override
    public void guestDisconnected(int portId, MacAddress mac, String description, String failure) {
        if (failure != null) {
            sender.send(new Notification(Notification.Type.HYPERVISOR_ERROR, mac));
        }
        sender.send(new Notification(Notification.Type.CONNECTION_CLOSED, mac));
    }

    @Override
    public Map<String, Object> snapshot() {
        return sender.snapshot();
    }

    @Deactivate
    void deactivate() {
        sender.close();
    }
}
