package io.tapvsock.service.dhcp.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.service.dhcp.wire.DhcpHeader;
import io.tapvsock.service.dhcp.wire.DhcpOptions;
import io.tapvsock.service.dhcp.wire.MalformedDhcpException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A server reply as a test reads it: the header fields and the options (repeated ones concatenated). */
public record ReplyView(int length, int op, int xid, int flags, Ipv4Address ciaddr, Ipv4Address yiaddr,
        MacAddress chaddr, Map<Integer, byte[]> options, List<Integer> order) {

    /** @param payload borrowed: not retained after return */
    public static ReplyView of(ByteBuf payload) {
        byte[] bytes = ByteBufUtil.getBytes(payload);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return read(buf, bytes.length);
        } finally {
            buf.release();
        }
    }

    private static ReplyView read(ByteBuf buf, int total) {
        DhcpHeader header = DhcpHeader.wrapUnchecked(buf, 0);
        if (header.cookie() != DhcpHeader.MAGIC_COOKIE) {
            throw new AssertionError("bad cookie");
        }
        Map<Integer, ByteArrayOutputStream> options = new LinkedHashMap<>();
        List<Integer> order = new ArrayList<>();
        try {
            DhcpOptions.walk(buf, DhcpHeader.OPTIONS, total, (code, value, length) -> {
                order.add(code);
                byte[] data = new byte[length];
                buf.getBytes(value, data);
                options.computeIfAbsent(code, c -> new ByteArrayOutputStream()).writeBytes(data);
            });
        } catch (MalformedDhcpException e) {
            throw new AssertionError(e);
        }
        Map<Integer, byte[]> values = new LinkedHashMap<>();
        options.forEach((code, data) -> values.put(code, data.toByteArray()));
        return new ReplyView(total, header.op(), header.xid(), header.flags(), header.ciaddr(), header.yiaddr(),
                header.chaddrMac(), values, order);
    }

    public int messageType() {
        return options.get(53)[0];
    }

    public Ipv4Address address(int option) {
        return Ipv4Address.fromBytes(options.get(option));
    }

    public long leaseSeconds() {
        byte[] v = options.get(51);
        return ((v[0] & 0xFFL) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
    }

    public int mtu() {
        byte[] v = options.get(26);
        return (v[0] & 0xFF) << 8 | (v[1] & 0xFF);
    }
}
