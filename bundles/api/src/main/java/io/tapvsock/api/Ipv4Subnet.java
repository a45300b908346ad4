package io.tapvsock.api;

/** An IPv4 network in CIDR form; the address is normalised to the network address. */
public record Ipv4Subnet(Ipv4Address network, int prefixLength) {

    public Ipv4Subnet {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length out of range 0..32: " + prefixLength);
        }
        network = new Ipv4Address(network.bits() & mask(prefixLength));
    }

    /** Parses "192.168.127.0/24"; host bits are cleared. */
    public static Ipv4Subnet parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR subnet (want A.B.C.D/N): \"" + text + "\"");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR subnet (want A.B.C.D/N): \"" + text + "\"");
        }
        return new Ipv4Subnet(Ipv4Address.parse(text.substring(0, slash)), prefix);
    }

    private static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int maskBits() {
        return mask(prefixLength);
    }

    public Ipv4Address mask() {
        return new Ipv4Address(maskBits());
    }

    public Ipv4Address broadcast() {
        return new Ipv4Address(network.bits() | ~maskBits());
    }

    public boolean contains(Ipv4Address address) {
        return (address.bits() & maskBits()) == network.bits();
    }

    /** Inside the subnet and neither its network nor its broadcast address. */
    public boolean isUsableHost(Ipv4Address address) {
        return contains(address) && !address.equals(network) && !address.equals(broadcast());
    }

    /** The n-th address of the subnet (network address + n). */
    public Ipv4Address address(int n) {
        return new Ipv4Address(network.bits() + n);
    }

    /** The highest usable address (gvproxy's default host IP: .254 in a /24). */
    public Ipv4Address lastUsable() {
        return new Ipv4Address(broadcast().bits() - 1);
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }
}
