package io.tapvsock.service.dns.wire;

/** Why a guest's DNS message was refused; {@link #key()} is its name in /stats under "malformed". */
public enum MalformedReason {
    /** Shorter than the 12-byte header: dropped without an answer (there is no ID to answer to). */
    TOO_SHORT("too_short"),
    /** QR set: a response sent to a server. Dropped without an answer (RFC 1035 §7.3, no reply loops). */
    NOT_A_QUERY("not_a_query"),
    /** QDCOUNT is not 1 (RFC 9619). */
    QUESTION_COUNT("question_count"),
    /** A section count promises more records than the message holds. */
    COUNTS_EXCEED_MESSAGE("counts_exceed_message"),
    /** Bytes after the last record the counts announce. */
    TRAILING_BYTES("trailing_bytes"),
    /** Compression pointers that lead back on themselves (RFC 1035 §4.1.4; RFC 9267 §2). */
    COMPRESSION_LOOP("compression_loop"),
    /** A name with a truncated label, an out-of-range pointer, a label over 63 or a name over 255 bytes. */
    BAD_NAME("bad_name"),
    /** More than one OPT record, or OPT outside the additional section or not at the root (RFC 6891 §6.1.1). */
    BAD_OPT("bad_opt");

    private final String key;

    MalformedReason(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** Can the sender be told FORMERR? Only when it sent a query with a readable header. */
    public boolean answerable() {
        return this != TOO_SHORT && this != NOT_A_QUERY;
    }
}
