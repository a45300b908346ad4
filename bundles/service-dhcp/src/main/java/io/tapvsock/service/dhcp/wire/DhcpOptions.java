package io.tapvsock.service.dhcp.wire;

import io.netty.buffer.ByteBuf;

/**
 * Walks the code-length-value options of one field of a DHCP message (RFC 2132 §2): PAD is one byte, END one
 * byte and the end of the walk, everything else is code, length, then that many bytes.
 */
public final class DhcpOptions {

    private DhcpOptions() {
    }

    /** Receives each option of a walk. */
    @FunctionalInterface
    public interface Visitor {
        /** One option whose value is {@code length} bytes at the absolute index {@code valueIndex}. */
        void option(int code, int valueIndex, int length) throws MalformedDhcpException;
    }

    /**
     * Walks the options in {@code [from, to)} until END; PAD after END is ignored. RFC 2131 §4.1 and RFC 2132 §9.3:
     * the options field, and each overloaded file and sname field, ends with END, so a field that runs out
     * without one was cut short somewhere and is refused.
     *
     * @param buf borrowed: not retained after return
     * @throws MalformedDhcpException when an option's length byte or value lies past {@code to}, or END is missing
     */
    public static void walk(ByteBuf buf, int from, int to, Visitor visitor) throws MalformedDhcpException {
        int i = from;
        while (i < to) {
            int code = buf.getUnsignedByte(i);
            if (code == DhcpOption.END) {
                return;
            }
            if (code == DhcpOption.PAD) {
                i++;
                continue;
            }
            if (i + 1 >= to) {
                throw new MalformedDhcpException(MalformedReason.OPTION_OVERRUN, "option " + code + " has no length byte");
            }
            int length = buf.getUnsignedByte(i + 1);
            int value = i + 2;
            if (value + length > to) {
                throw new MalformedDhcpException(MalformedReason.OPTION_OVERRUN,
                        "option " + code + " of " + length + " bytes runs " + (value + length - to) + " past the end");
            }
            visitor.option(code, value, length);
            i = value + length;
        }
        throw new MalformedDhcpException(MalformedReason.MISSING_END, "no END option before byte " + to);
    }
}
