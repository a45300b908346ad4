package io.tapvsock.service.dhcp.testing;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Builds a client's DHCP message as bytes (RFC 2131 §2), the way a test wants it. */
public final class ClientMessage {

    private final int type;
    private final MacAddress mac;
    private int xid = 0x12345678;
    private Ipv4Address ciaddr = Ipv4Address.ANY;
    private Ipv4Address requested;
    private Ipv4Address serverId;
    private boolean broadcast;
    private int maxMessageSize;
    private final ByteArrayOutputStream extra = new ByteArrayOutputStream();

    private ClientMessage(int type, MacAddress mac) {
        this.type = type;
        this.mac = mac;
    }

    public static ClientMessage discover(MacAddress mac) {
        return new ClientMessage(1, mac);
    }

    public static ClientMessage request(MacAddress mac) {
        return new ClientMessage(3, mac);
    }

    public static ClientMessage decline(MacAddress mac) {
        return new ClientMessage(4, mac);
    }

    public static ClientMessage release(MacAddress mac) {
        return new ClientMessage(7, mac);
    }

    public static ClientMessage inform(MacAddress mac) {
        return new ClientMessage(8, mac);
    }

    public ClientMessage xid(int value) {
        xid = value;
        return this;
    }

    public ClientMessage ciaddr(String address) {
        ciaddr = Ipv4Address.parse(address);
        return this;
    }

    public ClientMessage requested(String address) {
        requested = Ipv4Address.parse(address);
        return this;
    }

    public ClientMessage serverId(String address) {
        serverId = Ipv4Address.parse(address);
        return this;
    }

    public ClientMessage broadcast() {
        broadcast = true;
        return this;
    }

    public ClientMessage maxMessageSize(int size) {
        maxMessageSize = size;
        return this;
    }

    /** Appends a raw option. */
    public ClientMessage option(int code, byte... value) {
        extra.write(code);
        extra.write(value.length);
        extra.writeBytes(value);
        return this;
    }

    public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0);
        b.putInt(xid);
        b.putShort((short) 0).putShort((short) (broadcast ? 0x8000 : 0));
        b.putInt(ciaddr.bits()).putInt(0).putInt(0).putInt(0);
        b.putShort((short) (mac.bits() >>> 32)).putInt((int) mac.bits());
        b.position(236);
        b.putInt(0x63825363);
        b.put((byte) 53).put((byte) 1).put((byte) type);
        if (requested != null) {
            b.put((byte) 50).put((byte) 4).putInt(requested.bits());
        }
        if (serverId != null) {
            b.put((byte) 54).put((byte) 4).putInt(serverId.bits());
        }
        if (maxMessageSize != 0) {
            b.put((byte) 57).put((byte) 2).putShort((short) maxMessageSize);
        }
        b.put(extra.toByteArray());
        b.put((byte) 255);
        return b.array();
    }
}
