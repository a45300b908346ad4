package io.tapvsock.stack.icmp;

import io.netty.buffer.ByteBuf;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.wire.IcmpHeader;
import io.tapvsock.stack.wire.Ipv4Header;

/**
 * ICMP errors toward guests, sent when the host reports a failure for something a guest sent (RFC 792
 * destination unreachable; RFC 1122 §3.2.2 and §3.2.2.1: the error quotes the offending datagram's IP header and
 * at least its first 8 data bytes, so the guest can match it to its socket; §4.1.3.3: a UDP port unreachable
 * goes to the application). Errors are never sent about ICMP errors, broadcasts or fragments (RFC 1122
 * §3.2.2): the datagrams quoted here are unicast UDP and echo, by construction. Network loop only.
 */
public final class IcmpErrors {

    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PORT_UNREACHABLE = 3;

    /** The original IP header (at most 60 bytes) and 8 bytes of its payload. */
    public static final int MAX_QUOTE = 60 + 8;

    private final StackContext context;
    private long destinationUnreachableSent;

    public IcmpErrors(StackContext context) {
        this.context = context;
    }

    /**
     * Sends destination unreachable to {@code to} from {@code from} (the address the guest wrote to), quoting
     * {@code quote[0, quoteLength)}.
     */
    public void destinationUnreachable(int code, int from, int to, byte[] quote, int quoteLength) {
        int length = IcmpHeader.LENGTH + quoteLength;
        ByteBuf message = context.alloc().directBuffer(length, length);
        message.writeByte(IcmpHeader.TYPE_DESTINATION_UNREACHABLE);
        message.writeByte(code);
        message.writeShort(0);
        message.writeInt(0); // unused (RFC 792); the next-hop MTU only for code 4, which is never sent here
        message.writeBytes(quote, 0, quoteLength);
        new IcmpHeader().wrapUnchecked(message, 0, length).fillChecksum();
        destinationUnreachableSent++;
        context.sendIpv4(from, to, Ipv4Header.PROTOCOL_ICMP, message);
    }

    public long destinationUnreachableSent() {
        return destinationUnreachableSent;
    }
}
