package io.tapvsock.stack.osgi;

import io.tapvsock.api.GatewayUdpService;
import io.tapvsock.api.UdpDatagram;
import io.tapvsock.api.UdpReplier;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * A gateway UDP service that is fetched on its first datagram, not when it is bound. Gateway services (DHCP,
 * DNS) reference VirtualNetwork, which this bundle publishes: getting one while the network component is being
 * activated is a circular reference that SCR refuses, so binding must not get the service object.
 * Network loop only, like the stack that calls it.
 */
final class LazyGatewayUdpService implements GatewayUdpService {

    private final ComponentServiceObjects<GatewayUdpService> objects;
    private GatewayUdpService service;
    private boolean released;

    LazyGatewayUdpService(ComponentServiceObjects<GatewayUdpService> objects) {
        this.objects = objects;
    }

    @Override
    public void receive(UdpDatagram datagram, UdpReplier replier) {
        if (service == null && !released) {
            service = objects.getService();
        }
        if (service != null) {
            service.receive(datagram, replier);
        }
    }

    /** Gives the service object back; later datagrams are ignored. Call on the network loop. */
    void release() {
        released = true;
        if (service != null) {
            objects.ungetService(service);
            service = null;
        }
    }
}
