package io.tapvsock.service.notification.core;

import io.tapvsock.api.MacAddress;

/**
 * One of gvproxy's notification messages: a JSON object {@code {"notification_type":"...","mac_address":"..."}}
 * with the MAC only when there is one (gvproxy omits the empty field).
 *
 * @param mac null for "ready"
 */
public record Notification(Type type, MacAddress mac) {

    /** gvproxy's notification types, by their wire names. */
    public enum Type {
        READY("ready"),
        CONNECTION_ESTABLISHED("connection_established"),
        CONNECTION_CLOSED("connection_closed"),
        HYPERVISOR_ERROR("hypervisor_error");

        public final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }
    }

    public static Notification ready() {
        return new Notification(Type.READY, null);
    }

    /** The message as sent: the JSON object and a newline. Only fixed names and MAC digits: nothing to escape. */
    public String json() {
        return mac == null
                ? "{\"notification_type\":\"" + type.wireName + "\"}\n"
                : "{\"notification_type\":\"" + type.wireName + "\",\"mac_address\":\"" + mac + "\"}\n";
    }
}
