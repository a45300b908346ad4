package io.tapvsock.service.dhcp.wire;

/** The option codes this server reads or writes (RFC 2132, RFC 3397). */
public final class DhcpOption {

    private DhcpOption() {
    }

    /** RFC 2132 §3.1: a single zero byte, no length. */
    public static final int PAD = 0;
    /** RFC 2132 §3.2: a single 255 byte ends the options. */
    public static final int END = 255;
    public static final int SUBNET_MASK = 1;
    public static final int ROUTER = 3;
    public static final int DNS_SERVER = 6;
    public static final int HOST_NAME = 12;
    public static final int INTERFACE_MTU = 26;
    public static final int REQUESTED_IP = 50;
    public static final int LEASE_TIME = 51;
    /** RFC 2132 §9.3: 1 = the file field holds options, 2 = sname does, 3 = both. */
    public static final int OVERLOAD = 52;
    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_ID = 54;
    public static final int PARAMETER_REQUEST_LIST = 55;
    public static final int MESSAGE = 56;
    public static final int MAX_MESSAGE_SIZE = 57;
    public static final int CLIENT_ID = 61;
    /** RFC 3397. */
    public static final int DOMAIN_SEARCH = 119;
}
