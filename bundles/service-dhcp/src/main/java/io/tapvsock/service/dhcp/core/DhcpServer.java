package io.tapvsock.service.dhcp.core;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.UdpReplier;
import io.tapvsock.service.dhcp.core.DhcpCounters.Counter;
import io.tapvsock.service.dhcp.wire.DhcpMessageType;
import io.tapvsock.service.dhcp.wire.DhcpReply;
import io.tapvsock.service.dhcp.wire.DhcpRequest;
import io.tapvsock.service.dhcp.wire.DomainSearchList;
import io.tapvsock.service.dhcp.wire.MalformedDhcpException;
import io.tapvsock.service.dhcp.wire.MalformedReason;
import io.tapvsock.service.dhcp.wire.NetworkParameters;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The DHCP server: answers one client message at a time from the lease table, under the network settings in
 * force at that moment.
 *
 * <p>Read first: RFC 2131 §3.1 (the exchange), §4.1 (where replies go), §4.3 (what the server does with each
 * message), RFC 2132 §9 (the DHCP options). Where we differ from gvproxy: a REQUEST for an address that is not
 * the client's is NAKed, and RELEASE and DECLINE are honoured. Where we differ from RFC 2131 §4.3.2: a client in
 * INIT-REBOOT that we have no record of gets the address it asks for when that address is free (instead of
 * silence), so guests keep their addresses across a restart of the daemon without a lease file.
 *
 * <p>Threads: messages arrive on the network loop, the leases API and the shell read from other threads, and
 * configuration changes come from ConfigAdmin; a lock on this object guards the table (DHCP is a few messages
 * per guest per hour, so the lock is never contended on the data path). Replies are sent outside it.
 */
public final class DhcpServer {

    private static final System.Logger LOG = System.getLogger(DhcpServer.class.getName());

    /** How long an offered address is held for the client's REQUEST (RFC 2131 §4.3.1 leaves it open). */
    public static final Duration OFFER_HOLD = Duration.ofSeconds(60);
    /** How long a declined address stays out of use (RFC 2131 §4.3.3 leaves it open). */
    public static final Duration DECLINE_HOLD = Duration.ofMinutes(10);
    public static final int CLIENT_PORT = 68;
    /** RFC 2131 §2: every client takes a 576-byte IP datagram; RFC 2132 §9.10: option 57 counts IP and UDP headers. */
    private static final int MIN_DATAGRAM = 576;
    private static final int IP_UDP_HEADERS = 28;

    private final Supplier<NetworkSettings> settings;
    private final InstantSource clock;
    private final DhcpCounters counters = new DhcpCounters();
    private final LeaseTable table = new LeaseTable();

    // Guarded by this.
    private DhcpConfig config;
    private LeaseFile leaseFile;
    private HostSearchDomains hostSearchDomains;
    private long savedVersion = -1;
    private NetworkSettings planSettings;
    private DhcpConfig planConfig;
    private AddressPlan plan;
    private Instant exhaustedLogged;

    /**
     * Starts with the lease file's records when the configuration names one.
     *
     * @param config already validated
     * @param settings the network settings in force, read once per message
     * @param clock wall-clock time (leases in the file are instants)
     */
    public DhcpServer(DhcpConfig config, Supplier<NetworkSettings> settings, InstantSource clock) {
        this.config = config;
        this.settings = settings;
        this.clock = clock;
        synchronized (this) {
            hostSearchDomains = new HostSearchDomains(config.resolvConf());
            openLeaseFile(config.leaseFile());
        }
    }

    /**
     * Handles one message from a client; a malformed one is counted and dropped, nothing is thrown.
     *
     * @param payload borrowed: not retained after return
     * @param replier sends the reply, if any
     */
    public void receive(ByteBuf payload, UdpReplier replier) {
        DhcpRequest request = null;
        try {
            request = DhcpRequest.parse(payload);
            DhcpReply reply;
            synchronized (this) {
                reply = handle(request, settings.get(), clock.instant());
                // Saved before the reply goes out: a client never holds an ACK the file does not know.
                save();
            }
            if (reply != null) {
                send(request, reply, replier);
            }
        } catch (MalformedDhcpException e) {
            counters.malformed(e.reason());
            LOG.log(Level.DEBUG, "DHCP message dropped: {0}", e.getMessage());
        } catch (RuntimeException e) {
            counters.count(Counter.INTERNAL_ERRORS);
            LOG.log(Level.WARNING, "DHCP " + (request == null ? "message" : request.type() + " from " + request.clientMac())
                    + " failed", e);
        }
    }

    /** Puts a new configuration in force (already validated); a new lease file is read, merged and written. */
    public synchronized void reconfigure(DhcpConfig newConfig) {
        Path oldFile = config.leaseFile();
        config = newConfig;
        if (!hostSearchDomains.file().equals(newConfig.resolvConf())) {
            hostSearchDomains = new HostSearchDomains(newConfig.resolvConf());
        }
        if (!Objects.equals(oldFile, newConfig.leaseFile())) {
            openLeaseFile(newConfig.leaseFile());
        }
    }

    public synchronized DhcpConfig config() {
        return config;
    }

    /** The gateway and every current lease (static leases always, dynamic ones while bound), by address. */
    public synchronized List<LeaseEntry> leases() {
        NetworkSettings current = settings.get();
        SortedMap<Ipv4Address, LeaseEntry> entries = new TreeMap<>(table.entries(plan(current), clock.instant()));
        entries.put(current.gatewayIp(),
                new LeaseEntry(current.gatewayIp(), current.gatewayMac(), LeaseEntry.Kind.GATEWAY, null));
        return List.copyOf(entries.values());
    }

    public DhcpCounters counters() {
        return counters;
    }

    private DhcpReply handle(DhcpRequest request, NetworkSettings current, Instant now) throws MalformedDhcpException {
        AddressPlan addresses = plan(current);
        return switch (request.type()) {
            case DISCOVER -> discover(request, current, addresses, now);
            case REQUEST -> request(request, current, addresses, now);
            case DECLINE -> {
                decline(request, current, addresses, now);
                yield null;
            }
            case RELEASE -> {
                release(request, current, now);
                yield null;
            }
            case INFORM -> inform(request, current);
            // DhcpRequest.parse admits client messages only.
            case OFFER, ACK, NAK -> null;
        };
    }

    /** RFC 2131 §4.3.1. */
    private DhcpReply discover(DhcpRequest request, NetworkSettings current, AddressPlan addresses, Instant now) {
        counters.count(Counter.DISCOVER);
        MacAddress mac = request.clientMac();
        Ipv4Address address = table.choose(mac, request.requestedIp(), addresses, now);
        if (address == null) {
            counters.count(Counter.POOL_EXHAUSTED);
            // Clients retry every few seconds: say it once a minute.
            if (exhaustedLogged == null || !now.isBefore(exhaustedLogged.plusSeconds(60))) {
                exhaustedLogged = now;
                LOG.log(Level.WARNING, "DHCP: no address left in {0} for {1}", current.subnet(), mac);
            }
            return null;
        }
        table.offer(mac, address, now.plus(OFFER_HOLD), now);
        return new DhcpReply(DhcpMessageType.OFFER, request.xid(), request.broadcast(), Ipv4Address.ANY, address,
                request.relayIp(), mac, current.gatewayIp(), config.leaseSeconds(), parameters(current), null);
    }

    /**
     * RFC 2131 §4.3.2: SELECTING (server id and requested address), INIT-REBOOT (requested address only),
     * RENEWING and REBINDING (ciaddr only) all come down to "may this client have this address?".
     */
    private DhcpReply request(DhcpRequest request, NetworkSettings current, AddressPlan addresses, Instant now)
            throws MalformedDhcpException {
        counters.count(Counter.REQUEST);
        MacAddress mac = request.clientMac();
        if (isForAnotherServer(request, current)) {
            // The client took another server's offer.
            table.withdrawOffer(mac, now);
            counters.count(Counter.IGNORED);
            return null;
        }
        Ipv4Address wanted = request.requestedIp() != null ? request.requestedIp() : request.clientIp();
        if (wanted.equals(Ipv4Address.ANY)) {
            throw new MalformedDhcpException(MalformedReason.NO_ADDRESS, "REQUEST from " + mac + " names no address");
        }
        Ipv4Address own = table.addressOf(mac, addresses, now);
        boolean granted = own != null ? own.equals(wanted) : table.isFreeFor(wanted, mac, addresses, now);
        if (!granted) {
            String reason = own != null
                    ? wanted + " is not the address of " + mac + " (" + own + " is)"
                    : wanted + " is not available";
            LOG.log(Level.DEBUG, "DHCP NAK to {0}: {1}", mac, reason);
            return new DhcpReply(DhcpMessageType.NAK, request.xid(), request.broadcast(), Ipv4Address.ANY,
                    Ipv4Address.ANY, request.relayIp(), mac, current.gatewayIp(), -1, null, reason);
        }
        Lease before = table.lease(mac);
        boolean renewal = before != null && before.address().equals(wanted) && before.stateAt(now) == Lease.State.BOUND;
        table.bind(mac, wanted, now.plusSeconds(config.leaseSeconds()));
        LOG.log(renewal ? Level.DEBUG : Level.INFO, "DHCP {0} {1} to {2}{3} for {4} s",
                renewal ? "renewed" : "leased", wanted, mac,
                request.hostName() == null ? "" : " (" + request.hostName() + ")", Long.toString(config.leaseSeconds()));
        return new DhcpReply(DhcpMessageType.ACK, request.xid(), request.broadcast(), request.clientIp(), wanted,
                request.relayIp(), mac, current.gatewayIp(), config.leaseSeconds(), parameters(current), null);
    }

    /** RFC 2131 §4.3.3. */
    private void decline(DhcpRequest request, NetworkSettings current, AddressPlan addresses, Instant now)
            throws MalformedDhcpException {
        counters.count(Counter.DECLINE);
        if (isForAnotherServer(request, current)) {
            counters.count(Counter.IGNORED);
            return;
        }
        if (request.requestedIp() == null) {
            throw new MalformedDhcpException(MalformedReason.NO_ADDRESS, "DECLINE from " + request.clientMac()
                    + " without option 50");
        }
        if (table.decline(request.clientMac(), request.requestedIp(), now.plus(DECLINE_HOLD), addresses)) {
            LOG.log(Level.WARNING, "DHCP: {0} declined {1}: something else uses it; out of use for {2} s",
                    request.clientMac(), request.requestedIp(), Long.toString(DECLINE_HOLD.toSeconds()));
        } else {
            LOG.log(Level.INFO, "DHCP: {0} declined {1}, which is static or not its own: kept",
                    request.clientMac(), request.requestedIp());
        }
    }

    /** RFC 2131 §4.3.4. */
    private void release(DhcpRequest request, NetworkSettings current, Instant now) {
        counters.count(Counter.RELEASE);
        if (isForAnotherServer(request, current)) {
            counters.count(Counter.IGNORED);
            return;
        }
        if (table.release(request.clientMac(), request.clientIp(), now)) {
            LOG.log(Level.INFO, "DHCP {0} released {1}", request.clientMac(), request.clientIp());
        }
    }

    /** RFC 2131 §4.3.5: configuration only, no lease. */
    private DhcpReply inform(DhcpRequest request, NetworkSettings current) {
        counters.count(Counter.INFORM);
        return new DhcpReply(DhcpMessageType.ACK, request.xid(), request.broadcast(), request.clientIp(),
                Ipv4Address.ANY, request.relayIp(), request.clientMac(), current.gatewayIp(), -1, parameters(current),
                null);
    }

    private static boolean isForAnotherServer(DhcpRequest request, NetworkSettings current) {
        return request.serverId() != null && !request.serverId().equals(current.gatewayIp());
    }

    private NetworkParameters parameters(NetworkSettings current) {
        return new NetworkParameters(current.subnet().mask(), current.gatewayIp(), current.gatewayIp(), current.mtu(),
                searchList());
    }

    /** Option 119: the configured list, else the host's. */
    private DomainSearchList searchList() {
        return config.searchList() != null ? config.searchList() : hostSearchDomains.current();
    }

    /**
     * RFC 2131 §4.1: a NAK is broadcast; a client with an address (ciaddr) gets unicast there; a client without
     * one may not take unicast yet (whatever its broadcast flag says, broadcasting is always safe here), so it
     * gets a broadcast.
     */
    private void send(DhcpRequest request, DhcpReply reply, UdpReplier replier) {
        int limit = Math.max(request.maxMessageSize(), MIN_DATAGRAM) - IP_UDP_HEADERS;
        if (reply.length() > limit && reply.parameters() != null && !reply.parameters().searchList().isEmpty()) {
            counters.count(Counter.SEARCH_LIST_DROPPED);
            LOG.log(Level.DEBUG, "DHCP reply to {0} sent without its search list: {1} bytes, limit {2}",
                    request.clientMac(), reply.length(), limit);
            reply = reply.withParameters(reply.parameters().withoutSearchList());
        }
        boolean unicast = reply.type() != DhcpMessageType.NAK && !request.clientIp().equals(Ipv4Address.ANY);
        MacAddress mac = unicast ? request.clientMac() : MacAddress.BROADCAST;
        Ipv4Address address = unicast ? request.clientIp() : Ipv4Address.BROADCAST;
        ByteBuf payload = replier.alloc().buffer(reply.length());
        try {
            reply.emit(payload);
        } catch (RuntimeException e) {
            payload.release();
            throw e;
        }
        counters.count(switch (reply.type()) {
            case OFFER -> Counter.OFFER;
            case NAK -> Counter.NAK;
            default -> Counter.ACK;
        });
        replier.send(mac, address, CLIENT_PORT, payload);
    }

    private AddressPlan plan(NetworkSettings current) {
        if (plan == null || !current.equals(planSettings) || config != planConfig) {
            List<StaticLease> statics = config.staticLeases(current);
            for (StaticLease lease : statics) {
                String problem = AddressPlan.problem(lease.address(), current);
                if (problem != null) {
                    LOG.log(Level.WARNING, "DHCP static lease {0} not in force under the network settings: {1}",
                            lease, problem);
                }
            }
            plan = new AddressPlan(current, statics);
            planSettings = current;
            planConfig = config;
        }
        return plan;
    }

    private void openLeaseFile(Path path) {
        leaseFile = path == null ? null : new LeaseFile(path);
        if (leaseFile == null) {
            return;
        }
        try {
            LeaseFile.Contents contents = leaseFile.read();
            table.restore(contents.leases(), contents.declined());
            LOG.log(Level.INFO, "DHCP lease file {0}: {1} records", path, contents.leases().size());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "DHCP lease file {0} unreadable, starting without it: {1}", path, e.toString());
        }
        savedVersion = -1;
        save();
    }

    private void save() {
        if (leaseFile == null || table.version() == savedVersion) {
            return;
        }
        try {
            leaseFile.write(table.records(), table.declined(clock.instant()));
            savedVersion = table.version();
        } catch (IOException e) {
            counters.count(Counter.LEASE_FILE_ERRORS);
            LOG.log(Level.WARNING, "DHCP lease file {0} not written: {1}", leaseFile.path(), e.toString());
        }
    }
}
