package io.tapvsock.stack.osgi;

import org.osgi.service.component.ComponentServiceObjects;

/**
 * A gateway service (UDP or TCP) that is fetched on first use, not when it is bound. Gateway services (DHCP,
 * DNS, the in-VM API) reference VirtualNetwork, which this bundle publishes: getting one while the network
 * component is being activated is a circular reference that SCR refuses, so binding must not get the service
 * object. Network loop only, like the stack that uses it.
 */
final class LazyServiceObject<S> {

    private final ComponentServiceObjects<S> objects;
    private S service;
    private boolean released;

    LazyServiceObject(ComponentServiceObjects<S> objects) {
        this.objects = objects;
    }

    /** The service, fetched now if this is its first use; null once released (it is going away). */
    S get() {
        if (service == null && !released) {
            service = objects.getService();
        }
        return service;
    }

    /** Gives the service object back; later uses get null. */
    void release() {
        released = true;
        if (service != null) {
            objects.ungetService(service);
            service = null;
        }
    }
}
