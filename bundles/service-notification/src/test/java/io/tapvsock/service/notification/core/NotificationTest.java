package io.tapvsock.service.notification.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tapvsock.api.MacAddress;
import org.junit.jupiter.api.Test;

class NotificationTest {

    @Test
    void readyHasNoMacField() {
        assertEquals("{\"notification_type\":\"ready\"}\n", Notification.ready().json());
    }

    @Test
    void guestEventsCarryTheMac() {
        MacAddress mac = MacAddress.parse("5a:94:ef:e4:0c:ee");
        assertEquals("{\"notification_type\":\"connection_established\",\"mac_address\":\"5a:94:ef:e4:0c:ee\"}\n",
                new Notification(Notification.Type.CONNECTION_ESTABLISHED, mac).json());
        assertEquals("{\"notification_type\":\"connection_closed\",\"mac_address\":\"5a:94:ef:e4:0c:ee\"}\n",
                new Notification(Notification.Type.CONNECTION_CLOSED, mac).json());
        assertEquals("{\"notification_type\":\"hypervisor_error\",\"mac_address\":\"5a:94:ef:e4:0c:ee\"}\n",
                new Notification(Notification.Type.HYPERVISOR_ERROR, mac).json());
    }
}
