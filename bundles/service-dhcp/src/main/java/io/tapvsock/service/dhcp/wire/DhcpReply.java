package io.tapvsock.service.dhcp.wire;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A server message: OFFER, ACK or NAK, ready to emit.
 *
 * <p>Read first: RFC 2131 §4.3.1 table 3 (which fields and options each reply carries), RFC 1542 §2.1 (the
 * 300-byte minimum BOOTP message some clients still expect).
 *
 * @param type OFFER, ACK or NAK
 * @param xid the client's transaction id
 * @param broadcast the client's broadcast flag, echoed (RFC 2131 §4.3.1 table 3)
 * @param clientIp ciaddr: the client's own ciaddr for an ACK, else 0
 * @param yourIp yiaddr: the address offered or leased; 0 for an INFORM's ACK and a NAK
 * @param relayIp giaddr, echoed
 * @param clientMac chaddr
 * @param serverId option 54: the gateway address
 * @param leaseSeconds option 51, or -1 to leave it out (NAK, ACK of INFORM)
 * @param parameters options 1, 3, 6, 26, 119, or null (NAK)
 * @param message option 56 text, or null
 */
public record DhcpReply(DhcpMessageType type, int xid, boolean broadcast, Ipv4Address clientIp, Ipv4Address yourIp,
        Ipv4Address relayIp, MacAddress clientMac, Ipv4Address serverId, long leaseSeconds,
        NetworkParameters parameters, String message) {

    /** RFC 1542 §2.1: pad every reply to at least this many bytes. */
    public static final int MIN_LENGTH = 300;

    /** The same reply with fewer options, when the client cannot take the whole. */
    public DhcpReply withParameters(NetworkParameters newParameters) {
        return new DhcpReply(type, xid, broadcast, clientIp, yourIp, relayIp, clientMac, serverId, leaseSeconds,
                newParameters, message);
    }

    /** Bytes {@link #emit} writes. */
    public int length() {
        int options = 3 + 6; // 53, 54
        if (leaseSeconds >= 0) {
            options += 6;
        }
        if (parameters != null) {
            options += parameters.optionLength();
        }
        if (message != null) {
            options += 2 + messageBytes().length;
        }
        options += 1; // END
        return Math.max(MIN_LENGTH, DhcpHeader.LENGTH + options);
    }

    private byte[] messageBytes() {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        return text.length <= 255 ? text : Arrays.copyOf(text, 255);
    }

    /**
     * Writes exactly {@link #length()} bytes at the writer index: the header, the options in a fixed order
     * (53, 54, 51, 1, 3, 6, 26, 119, 56, END), then zero padding.
     *
     * @param out borrowed: not retained after return
     */
    public void emit(ByteBuf out) {
        int start = out.writerIndex();
        int length = length();
        out.ensureWritable(length);
        out.writeZero(DhcpHeader.LENGTH);
        DhcpHeader header = DhcpHeader.wrapUnchecked(out, start);
        header.setOp(DhcpHeader.OP_BOOTREPLY);
        header.setHtype(DhcpHeader.HTYPE_ETHERNET);
        header.setHlen(DhcpHeader.HLEN_ETHERNET);
        header.setXid(xid);
        header.setFlags(broadcast ? DhcpHeader.FLAG_BROADCAST : 0);
        header.setCiaddr(clientIp);
        header.setYiaddr(yourIp);
        header.setGiaddr(relayIp);
        header.setChaddrMac(clientMac);
        header.setCookie(DhcpHeader.MAGIC_COOKIE);

        out.writeByte(DhcpOption.MESSAGE_TYPE).writeByte(1).writeByte(type.code());
        writeAddress(out, DhcpOption.SERVER_ID, serverId);
        if (leaseSeconds >= 0) {
            out.writeByte(DhcpOption.LEASE_TIME).writeByte(4).writeInt((int) leaseSeconds);
        }
        if (parameters != null) {
            writeAddress(out, DhcpOption.SUBNET_MASK, parameters.subnetMask());
            writeAddress(out, DhcpOption.ROUTER, parameters.router());
            writeAddress(out, DhcpOption.DNS_SERVER, parameters.dnsServer());
            out.writeByte(DhcpOption.INTERFACE_MTU).writeByte(2).writeShort(parameters.mtu());
            parameters.searchList().writeOptions(out);
        }
        if (message != null) {
            byte[] text = messageBytes();
            out.writeByte(DhcpOption.MESSAGE).writeByte(text.length).writeBytes(text);
        }
        out.writeByte(DhcpOption.END);
        out.writeZero(length - (out.writerIndex() - start));
    }

    private static void writeAddress(ByteBuf out, int code, Ipv4Address address) {
        out.writeByte(code).writeByte(4).writeInt(address.bits());
    }
}
