package io.tapvsock.service.dhcp.wire;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The value of option 119, the domain search list, encoded once when configured.
 *
 * <p>Read first: RFC 3397 (names in DNS wire format, RFC 1035 §4.1.4 compression pointers relative to the start
 * of the option data), RFC 3396 (a value over 255 bytes is split into several consecutive option 119 instances
 * that the client concatenates).
 */
public final class DomainSearchList {

    public static final DomainSearchList EMPTY = new DomainSearchList(List.of(), new byte[0]);

    /** RFC 1035 §2.3.4. */
    private static final int MAX_LABEL = 63;
    private static final int MAX_NAME = 255;
    /** A compression pointer holds a 14-bit offset. */
    private static final int MAX_POINTER_TARGET = 0x3FFF;
    /** Far beyond any sane list; keeps a reply well inside one datagram. */
    private static final int MAX_ENCODED = 1024;

    private final List<String> domains;
    private final byte[] encoded;

    private DomainSearchList(List<String> domains, byte[] encoded) {
        this.domains = domains;
        this.encoded = encoded;
    }

    /**
     * Validates and encodes domains such as "example.com" (a trailing dot is allowed).
     *
     * @throws IllegalArgumentException quoting the first domain that is not a valid DNS name
     */
    public static DomainSearchList of(List<String> domains) {
        if (domains.isEmpty()) {
            return EMPTY;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Suffix (lower case, as DNS compares names) -> offset of its first label in the encoding.
        Map<String, Integer> suffixes = new HashMap<>();
        for (String domain : domains) {
            String[] labels = labels(domain);
            boolean pointed = false;
            for (int i = 0; i < labels.length; i++) {
                String suffix = String.join(".", List.of(labels).subList(i, labels.length)).toLowerCase(Locale.ROOT);
                Integer target = suffixes.get(suffix);
                if (target != null) {
                    out.write(0xC0 | target >>> 8);
                    out.write(target & 0xFF);
                    pointed = true;
                    break;
                }
                if (out.size() <= MAX_POINTER_TARGET) {
                    suffixes.put(suffix, out.size());
                }
                byte[] label = labels[i].getBytes(StandardCharsets.US_ASCII);
                out.write(label.length);
                out.writeBytes(label);
            }
            if (!pointed) {
                out.write(0);
            }
        }
        if (out.size() > MAX_ENCODED) {
            throw new IllegalArgumentException("search domains take " + out.size() + " bytes encoded, more than " + MAX_ENCODED);
        }
        return new DomainSearchList(List.copyOf(domains), out.toByteArray());
    }

    private static String[] labels(String domain) {
        String name = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty search domain \"" + domain + "\"");
        }
        if (name.length() + 2 > MAX_NAME) {
            throw new IllegalArgumentException("search domain \"" + domain + "\" is longer than " + MAX_NAME + " bytes");
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > MAX_LABEL) {
                throw new IllegalArgumentException("search domain \"" + domain + "\" has a label of " + label.length()
                        + " bytes (want 1.." + MAX_LABEL + ")");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (c <= ' ' || c >= 0x7F) {
                    throw new IllegalArgumentException("search domain \"" + domain + "\" has a character that is not "
                            + "printable ASCII");
                }
            }
        }
        return labels;
    }

    public List<String> domains() {
        return domains;
    }

    public boolean isEmpty() {
        return encoded.length == 0;
    }

    /** The option data: the concatenated, compressed names. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** Bytes the option instances take in a message, code and length bytes included; 0 when empty. */
    public int optionLength() {
        int instances = (encoded.length + 254) / 255;
        return encoded.length + 2 * instances;
    }

    /**
     * Writes the option instances at the writer index: one per 255 bytes of data (RFC 3396 §7).
     *
     * @param out borrowed: not retained after return
     */
    public void writeOptions(ByteBuf out) {
        for (int start = 0; start < encoded.length; start += 255) {
            int length = Math.min(255, encoded.length - start);
            out.writeByte(DhcpOption.DOMAIN_SEARCH);
            out.writeByte(length);
            out.writeBytes(encoded, start, length);
        }
    }

    @Override
    public String toString() {
        return String.join(",", domains);
    }
}
