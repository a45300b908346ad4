package io.tapvsock.service.dhcp.wire;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import java.nio.charset.StandardCharsets;

/**
 * What this server uses of a client's DHCP message.
 *
 * <p>Read first: RFC 2131 §3 and §4.3 (what each message carries), RFC 2132 §9 (the DHCP options).
 *
 * @param type option 53
 * @param xid the transaction id, echoed in the reply
 * @param secs seconds since the client began, echoed
 * @param broadcast the client asked for broadcast replies (it cannot receive unicast before it is configured)
 * @param clientIp ciaddr: set only when the client is BOUND, RENEWING or REBINDING (or sends INFORM)
 * @param relayIp giaddr, echoed
 * @param clientMac the first six octets of chaddr: the key of the client's lease
 * @param requestedIp option 50, or null
 * @param serverId option 54, or null
 * @param maxMessageSize option 57, or 0 when absent
 * @param hostName option 12, or null; only for logs
 */
public record DhcpRequest(DhcpMessageType type, int xid, int secs, boolean broadcast, Ipv4Address clientIp,
        Ipv4Address relayIp, MacAddress clientMac, Ipv4Address requestedIp, Ipv4Address serverId, int maxMessageSize,
        String hostName) {

    /** Everything the walk collects, before it becomes a record. */
    private static final class Collected {
        int type = -1;
        int overload;
        Ipv4Address requestedIp;
        Ipv4Address serverId;
        int maxMessageSize;
        String hostName;
    }

    /**
     * Parses the readable bytes of a UDP payload.
     *
     * @param payload borrowed: not retained after return
     */
    public static DhcpRequest parse(ByteBuf payload) throws MalformedDhcpException {
        return parse(payload, payload.readerIndex(), payload.readableBytes());
    }

    /**
     * Parses {@code length} bytes at {@code offset}; judges the fixed fields, then the options.
     *
     * @param buf borrowed: not retained after return
     */
    public static DhcpRequest parse(ByteBuf buf, int offset, int length) throws MalformedDhcpException {
        DhcpHeader header = DhcpHeader.wrapChecked(buf, offset, length);
        // RFC 2131 §2: clients send BOOTREQUEST; BOOTREPLY here would be another server's answer.
        if (header.op() != DhcpHeader.OP_BOOTREQUEST) {
            throw new MalformedDhcpException(MalformedReason.BAD_OP, "op " + header.op());
        }
        // Our links are Ethernet: the lease key is a 6-byte MAC.
        if (header.htype() != DhcpHeader.HTYPE_ETHERNET) {
            throw new MalformedDhcpException(MalformedReason.BAD_HTYPE, "htype " + header.htype());
        }
        if (header.hlen() != DhcpHeader.HLEN_ETHERNET) {
            throw new MalformedDhcpException(MalformedReason.BAD_HLEN, "hlen " + header.hlen());
        }
        if (header.cookie() != DhcpHeader.MAGIC_COOKIE) {
            throw new MalformedDhcpException(MalformedReason.BAD_COOKIE, "cookie " + Integer.toHexString(header.cookie()));
        }
        Collected collected = new Collected();
        DhcpOptions.Visitor visitor = (code, value, len) -> collect(buf, code, value, len, collected);
        DhcpOptions.walk(buf, offset + DhcpHeader.OPTIONS, offset + length, visitor);
        // RFC 2132 §9.3: the overloaded fields are read after the options field, file before sname.
        int overload = collected.overload;
        collected.overload = 0;
        if (overload == 1 || overload == 3) {
            int file = offset + DhcpHeader.FILE;
            DhcpOptions.walk(buf, file, file + DhcpHeader.FILE_LENGTH, visitor);
        }
        if (overload == 2 || overload == 3) {
            int sname = offset + DhcpHeader.SNAME;
            DhcpOptions.walk(buf, sname, sname + DhcpHeader.SNAME_LENGTH, visitor);
        }
        if (collected.type < 0) {
            throw new MalformedDhcpException(MalformedReason.NO_MESSAGE_TYPE, "no option 53");
        }
        DhcpMessageType type = DhcpMessageType.of(collected.type);
        if (type == null || !type.fromClient()) {
            throw new MalformedDhcpException(MalformedReason.BAD_MESSAGE_TYPE,
                    "message type " + collected.type + (type == null ? "" : " (" + type + ")"));
        }
        return new DhcpRequest(type, header.xid(), header.secs(), header.broadcast(), header.ciaddr(), header.giaddr(),
                header.chaddrMac(), collected.requestedIp, collected.serverId, collected.maxMessageSize,
                collected.hostName);
    }

    /** Keeps the first instance of each option we use; ignores the rest (RFC 2131 §4.3.1: unknown options too). */
    private static void collect(ByteBuf buf, int code, int value, int length, Collected collected)
            throws MalformedDhcpException {
        switch (code) {
            case DhcpOption.MESSAGE_TYPE -> {
                requireLength(code, length, 1);
                if (collected.type < 0) {
                    collected.type = buf.getUnsignedByte(value);
                }
            }
            case DhcpOption.REQUESTED_IP -> {
                requireLength(code, length, 4);
                if (collected.requestedIp == null) {
                    collected.requestedIp = new Ipv4Address(buf.getInt(value));
                }
            }
            case DhcpOption.SERVER_ID -> {
                requireLength(code, length, 4);
                if (collected.serverId == null) {
                    collected.serverId = new Ipv4Address(buf.getInt(value));
                }
            }
            case DhcpOption.MAX_MESSAGE_SIZE -> {
                requireLength(code, length, 2);
                if (collected.maxMessageSize == 0) {
                    collected.maxMessageSize = buf.getUnsignedShort(value);
                }
            }
            case DhcpOption.OVERLOAD -> {
                requireLength(code, length, 1);
                collected.overload = buf.getUnsignedByte(value);
            }
            case DhcpOption.HOST_NAME -> {
                if (collected.hostName == null && length > 0) {
                    // Only ever logged: keep it printable.
                    collected.hostName = buf.toString(value, length, StandardCharsets.ISO_8859_1)
                            .replaceAll("[^\\x20-\\x7e]", "?");
                }
            }
            default -> {
            }
        }
    }

    private static void requireLength(int code, int length, int expected) throws MalformedDhcpException {
        if (length != expected) {
            throw new MalformedDhcpException(MalformedReason.BAD_OPTION_LENGTH,
                    "option " + code + " has " + length + " bytes, want " + expected);
        }
    }
}
