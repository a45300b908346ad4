package io.tapvsock.service.dhcp.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.service.dhcp.core.DhcpCounters.Counter;
import io.tapvsock.service.dhcp.testing.CapturingReplier;
import io.tapvsock.service.dhcp.testing.CapturingReplier.Sent;
import io.tapvsock.service.dhcp.testing.ClientMessage;
import io.tapvsock.service.dhcp.testing.Configs;
import io.tapvsock.service.dhcp.testing.Fixtures;
import io.tapvsock.service.dhcp.testing.ManualClock;
import io.tapvsock.service.dhcp.testing.ReplyView;
import io.tapvsock.service.dhcp.wire.DomainSearchList;
import io.tapvsock.service.dhcp.wire.MalformedReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DhcpServerTest {

    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    private static final MacAddress C = MacAddress.parse("02:00:00:00:00:0c");
    private static final MacAddress D = MacAddress.parse("02:00:00:00:00:0d");
    private static final String GATEWAY = "192.168.127.1";
    private static final int OFFER = 2;
    private static final int ACK = 5;
    private static final int NAK = 6;

    private final ManualClock clock = new ManualClock();
    private final CapturingReplier replier = new CapturingReplier();
    private NetworkSettings settings = NetworkSettings.defaults();
    private DhcpServer server = new DhcpServer(Configs.withoutSearchDomains(null), () -> settings, clock);

    private void deliver(byte[] bytes) {
        ByteBuf payload = Unpooled.wrappedBuffer(bytes);
        try {
            server.receive(payload, replier);
        } finally {
            payload.release();
        }
    }

    private Sent exchange(ClientMessage message) {
        deliver(message.bytes());
        return replier.only();
    }

    private void silent(ClientMessage message) {
        deliver(message.bytes());
        assertEquals(List.of(), replier.take());
    }

    /** DISCOVER then REQUEST of what was offered; returns the address acknowledged. */
    private Ipv4Address lease(MacAddress mac) {
        Sent offer = exchange(ClientMessage.discover(mac));
        assertEquals(OFFER, offer.reply().messageType());
        Ipv4Address address = offer.reply().yiaddr();
        String serverId = offer.reply().address(54).toString();
        Sent ack = exchange(ClientMessage.request(mac).serverId(serverId).requested(address.toString()));
        assertEquals(ACK, ack.reply().messageType());
        assertEquals(address, ack.reply().yiaddr());
        return address;
    }

    private Map<String, String> leases() {
        return server.leases().stream().collect(Collectors.toMap(e -> e.address().toString(), e -> e.mac().toString(),
                (x, y) -> x, java.util.LinkedHashMap::new));
    }

    private static Ipv4Address ip(String text) {
        return Ipv4Address.parse(text);
    }

    @Test
    void discoverRequest_fullExchange() {
        Sent offer = exchange(ClientMessage.discover(A).xid(0xCAFE));
        assertEquals(MacAddress.BROADCAST, offer.mac());
        assertEquals(Ipv4Address.BROADCAST, offer.address());
        assertEquals(68, offer.port());
        ReplyView reply = offer.reply();
        assertEquals(2, reply.op());
        assertEquals(0xCAFE, reply.xid());
        assertEquals(A, reply.chaddr());
        assertEquals(OFFER, reply.messageType());
        // .2 is the device IP's static lease for gvproxy's guest MAC: the pool starts at .3.
        assertEquals(ip("192.168.127.3"), reply.yiaddr());
        assertEquals(List.of(53, 54, 51, 1, 3, 6, 26), reply.order());
        assertEquals(ip(GATEWAY), reply.address(54));
        assertEquals(3600, reply.leaseSeconds());
        assertEquals(ip("255.255.255.0"), reply.address(1));
        assertEquals(ip(GATEWAY), reply.address(3));
        assertEquals(ip(GATEWAY), reply.address(6));
        assertEquals(1500, reply.mtu());
        assertEquals(300, reply.length());
        // Offered is not leased yet.
        assertFalse(leases().containsKey("192.168.127.3"));

        Sent ack = exchange(ClientMessage.request(A).xid(0xCAFF).serverId(GATEWAY).requested("192.168.127.3"));
        assertEquals(MacAddress.BROADCAST, ack.mac());
        assertEquals(Ipv4Address.BROADCAST, ack.address());
        assertEquals(ACK, ack.reply().messageType());
        assertEquals(0xCAFF, ack.reply().xid());
        assertEquals(ip("192.168.127.3"), ack.reply().yiaddr());
        assertEquals(3600, ack.reply().leaseSeconds());

        assertEquals(Map.of("192.168.127.1", "5a:94:ef:e4:0c:dd", "192.168.127.2", "5a:94:ef:e4:0c:ee",
                "192.168.127.3", A.toString()), leases());
        assertEquals(List.of("192.168.127.1", "192.168.127.2", "192.168.127.3"), List.copyOf(leases().keySet()));
        DhcpCounters counters = server.counters();
        assertEquals(1, counters.get(Counter.DISCOVER));
        assertEquals(1, counters.get(Counter.OFFER));
        assertEquals(1, counters.get(Counter.REQUEST));
        assertEquals(1, counters.get(Counter.ACK));
    }

    @Test
    void udhcpcCapture_getsTheDeviceIp_andIsNakedForAnotherServersAddress() {
        deliver(Fixtures.bytes("udhcpc-discover.bin"));
        ReplyView offer = replier.only().reply();
        assertEquals(OFFER, offer.messageType());
        assertEquals(0x98e10d6c, offer.xid());
        assertEquals(ip("192.168.127.2"), offer.yiaddr());

        // The captured REQUEST selects 192.168.127.15 from a server at 192.168.127.1: not the address we have.
        deliver(Fixtures.bytes("udhcpc-request.bin"));
        Sent nak = replier.only();
        assertEquals(NAK, nak.reply().messageType());
        assertEquals(MacAddress.BROADCAST, nak.mac());
        assertEquals(Ipv4Address.BROADCAST, nak.address());
        assertEquals(Ipv4Address.ANY, nak.reply().yiaddr());
        assertNull(nak.reply().options().get(51));
        assertNull(nak.reply().options().get(1));
        assertNotNull(nak.reply().options().get(56));
        assertEquals(1, server.counters().get(Counter.NAK));
    }

    @Test
    void request_selectingAnotherAddressThanOffered_isNaked() {
        exchange(ClientMessage.discover(A));
        Sent nak = exchange(ClientMessage.request(A).serverId(GATEWAY).requested("192.168.127.9"));
        assertEquals(NAK, nak.reply().messageType());
        assertFalse(leases().containsValue(A.toString()));
    }

    @Test
    void request_forAnotherServer_isIgnoredAndOurOfferWithdrawn() {
        assertEquals(ip("192.168.127.3"), exchange(ClientMessage.discover(A)).reply().yiaddr());
        silent(ClientMessage.request(A).serverId("192.168.127.200").requested("192.168.127.3"));
        assertEquals(1, server.counters().get(Counter.IGNORED));
        // The withdrawn address stays A's to come back to; B gets a fresh one.
        assertEquals(ip("192.168.127.4"), lease(B));
        assertEquals(ip("192.168.127.3"), lease(A));
    }

    @Test
    void request_initReboot_unknownClientGetsAFreeAddress() {
        Sent ack = exchange(ClientMessage.request(A).requested("192.168.127.40"));
        assertEquals(ACK, ack.reply().messageType());
        assertEquals(ip("192.168.127.40"), ack.reply().yiaddr());
        assertEquals(A.toString(), leases().get("192.168.127.40"));
    }

    @Test
    void request_initReboot_forSomeoneElsesOrAForeignAddress_isNaked() {
        assertEquals(ip("192.168.127.3"), lease(A));
        assertEquals(NAK, exchange(ClientMessage.request(B).requested("192.168.127.3")).reply().messageType());
        assertEquals(NAK, exchange(ClientMessage.request(B).requested("10.0.0.5")).reply().messageType());
        assertEquals(NAK, exchange(ClientMessage.request(B).requested(GATEWAY)).reply().messageType());
        assertEquals(NAK, exchange(ClientMessage.request(B).requested("192.168.127.255")).reply().messageType());
        // The device IP is the static lease of another MAC.
        assertEquals(NAK, exchange(ClientMessage.request(B).requested("192.168.127.2")).reply().messageType());
    }

    @Test
    void request_initReboot_knownClientAskingForAnotherAddress_isNaked() {
        assertEquals(ip("192.168.127.3"), lease(A));
        assertEquals(NAK, exchange(ClientMessage.request(A).requested("192.168.127.50")).reply().messageType());
        assertEquals(ACK, exchange(ClientMessage.request(A).requested("192.168.127.3")).reply().messageType());
    }

    @Test
    void request_renewing_isAcknowledgedByUnicastAndExtendsTheLease() {
        assertEquals(ip("192.168.127.3"), lease(A));
        clock.advance(Duration.ofSeconds(3000));
        Sent ack = exchange(ClientMessage.request(A).ciaddr("192.168.127.3"));
        assertEquals(ACK, ack.reply().messageType());
        assertEquals(A, ack.mac());
        assertEquals(ip("192.168.127.3"), ack.address());
        assertEquals(ip("192.168.127.3"), ack.reply().ciaddr());
        assertEquals(ip("192.168.127.3"), ack.reply().yiaddr());
        clock.advance(Duration.ofSeconds(3000));
        assertEquals(A.toString(), leases().get("192.168.127.3"));
    }

    @Test
    void request_renewingSomeoneElsesAddress_isNakedByBroadcast() {
        lease(A);
        Sent nak = exchange(ClientMessage.request(B).ciaddr("192.168.127.3"));
        assertEquals(NAK, nak.reply().messageType());
        assertEquals(MacAddress.BROADCAST, nak.mac());
    }

    @Test
    void request_withoutAnyAddress_isMalformed() {
        silent(ClientMessage.request(A));
        assertEquals(1, server.counters().get(MalformedReason.NO_ADDRESS));
    }

    @Test
    void release_thenRediscover_getsTheSameAddress() {
        assertEquals(ip("192.168.127.3"), lease(A));
        silent(ClientMessage.release(A).ciaddr("192.168.127.3").serverId(GATEWAY));
        assertEquals(1, server.counters().get(Counter.RELEASE));
        assertFalse(leases().containsKey("192.168.127.3"));
        // Another client does not get it while fresh addresses remain.
        assertEquals(ip("192.168.127.4"), lease(B));
        assertEquals(ip("192.168.127.3"), lease(A));
    }

    @Test
    void release_ofAnAddressNotItsOwn_changesNothing() {
        lease(A);
        silent(ClientMessage.release(B).ciaddr("192.168.127.3").serverId(GATEWAY));
        assertEquals(A.toString(), leases().get("192.168.127.3"));
    }

    @Test
    void lease_expires_andTheClientGetsItBack() {
        assertEquals(ip("192.168.127.3"), lease(A));
        clock.advance(Duration.ofSeconds(3599));
        assertTrue(leases().containsKey("192.168.127.3"));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(leases().containsKey("192.168.127.3"));
        assertEquals(ip("192.168.127.4"), lease(B));
        assertEquals(ip("192.168.127.3"), lease(A));
    }

    @Test
    void offer_expires_withoutTakingTheAddressForever() {
        settings = NetworkSettings.fromProperties(Map.of("subnet", "10.0.0.0/29"));
        // Dynamic: .3 .4 .5 (.1 gateway, .2 device, .6 host).
        assertEquals(ip("10.0.0.3"), exchange(ClientMessage.discover(A)).reply().yiaddr());
        assertEquals(ip("10.0.0.4"), lease(B));
        assertEquals(ip("10.0.0.5"), lease(C));
        silent(ClientMessage.discover(D));
        clock.advance(DhcpServer.OFFER_HOLD);
        assertEquals(ip("10.0.0.3"), lease(D));
    }

    @Test
    void pool_exhausted_thenTheAddressFreeTheLongestIsReused() {
        settings = NetworkSettings.fromProperties(Map.of("subnet", "10.0.0.0/29"));
        assertEquals(ip("10.0.0.3"), lease(A));
        assertEquals(ip("10.0.0.4"), lease(B));
        assertEquals(ip("10.0.0.5"), lease(C));
        silent(ClientMessage.discover(D));
        assertEquals(1, server.counters().get(Counter.POOL_EXHAUSTED));

        silent(ClientMessage.release(B).ciaddr("10.0.0.4").serverId("10.0.0.1"));
        clock.advance(Duration.ofSeconds(10));
        silent(ClientMessage.release(A).ciaddr("10.0.0.3").serverId("10.0.0.1"));
        assertEquals(ip("10.0.0.4"), lease(D));
        assertEquals(ip("10.0.0.3"), lease(A));
        silent(ClientMessage.discover(B));
    }

    @Test
    void staticLeases_fromConfiguration() {
        server = new DhcpServer(DhcpConfig.fromProperties(Map.of("staticLeases",
                new String[] {"192.168.127.50=" + A, "192.168.127.3=" + B})), () -> settings, clock);
        // Listed before the clients ask, as gvproxy does; the default device lease is replaced.
        assertEquals(Map.of("192.168.127.1", "5a:94:ef:e4:0c:dd", "192.168.127.3", B.toString(),
                "192.168.127.50", A.toString()), leases());
        assertEquals(ip("192.168.127.50"), lease(A));
        assertEquals(ip("192.168.127.3"), lease(B));
        // Without its static lease the device IP is in the pool; .3 and .50 are not.
        assertEquals(ip("192.168.127.2"), lease(MacAddress.DEFAULT_DEVICE));
        assertEquals(ip("192.168.127.4"), lease(C));
        assertEquals(NAK, exchange(ClientMessage.request(D).requested("192.168.127.50")).reply().messageType());
    }

    @Test
    void staticLease_followsTheDeviceIpByDefault() {
        assertEquals(ip("192.168.127.2"), lease(MacAddress.DEFAULT_DEVICE));
        assertEquals(ip("192.168.127.2"), lease(MacAddress.DEFAULT_DEVICE));
    }

    @Test
    void decline_takesTheAddressOutOfUseForAWhile() {
        assertEquals(ip("192.168.127.3"), lease(A));
        silent(ClientMessage.decline(A).requested("192.168.127.3").serverId(GATEWAY));
        assertEquals(1, server.counters().get(Counter.DECLINE));
        assertFalse(leases().containsKey("192.168.127.3"));
        assertEquals(ip("192.168.127.4"), lease(A));
        assertEquals(ip("192.168.127.5"), lease(B));
        assertEquals(NAK, exchange(ClientMessage.request(C).requested("192.168.127.3")).reply().messageType());
        clock.advance(DhcpServer.DECLINE_HOLD);
        assertEquals(ip("192.168.127.3"), lease(C));
    }

    @Test
    void decline_ofAStaticAddress_keepsIt() {
        lease(MacAddress.DEFAULT_DEVICE);
        silent(ClientMessage.decline(MacAddress.DEFAULT_DEVICE).requested("192.168.127.2").serverId(GATEWAY));
        assertEquals(ip("192.168.127.2"), lease(MacAddress.DEFAULT_DEVICE));
    }

    @Test
    void inform_isAcknowledgedWithoutALease() {
        Sent ack = exchange(ClientMessage.inform(A).ciaddr("192.168.127.77"));
        assertEquals(ACK, ack.reply().messageType());
        assertEquals(A, ack.mac());
        assertEquals(ip("192.168.127.77"), ack.address());
        assertEquals(Ipv4Address.ANY, ack.reply().yiaddr());
        assertEquals(ip("192.168.127.77"), ack.reply().ciaddr());
        assertNull(ack.reply().options().get(51));
        assertEquals(List.of(53, 54, 1, 3, 6, 26), ack.reply().order());
        assertEquals(1, server.counters().get(Counter.INFORM));
        assertFalse(leases().containsKey("192.168.127.77"));
    }

    @Test
    void settings_areReadPerMessage() {
        lease(A);
        settings = NetworkSettings.fromProperties(Map.of("subnet", "10.1.0.0/24", "mtu", "9000"));
        // The old address is outside the new subnet: the renewal is refused and the client starts over.
        assertEquals(NAK, exchange(ClientMessage.request(A).ciaddr("192.168.127.3")).reply().messageType());
        ReplyView offer = exchange(ClientMessage.discover(A)).reply();
        assertEquals(ip("10.1.0.3"), offer.yiaddr());
        assertEquals(ip("10.1.0.1"), offer.address(54));
        assertEquals(ip("10.1.0.1"), offer.address(3));
        assertEquals(9000, offer.mtu());
        assertEquals(List.of("10.1.0.1", "10.1.0.2"), List.copyOf(leases().keySet()));
    }

    @Test
    void searchDomains_goInOption119() {
        server.reconfigure(DhcpConfig.fromProperties(Map.of("searchDomains", "eng.apple.com,marketing.apple.com",
                "leaseSeconds", 120)));
        ReplyView offer = exchange(ClientMessage.discover(A)).reply();
        assertEquals(List.of(53, 54, 51, 1, 3, 6, 26, 119), offer.order());
        assertArrayEquals(DomainSearchList.of(List.of("eng.apple.com", "marketing.apple.com")).encoded(),
                offer.options().get(119));
        assertEquals(120, offer.leaseSeconds());
    }

    @Test
    void searchList_tooBigForTheClient_isLeftOut() {
        List<String> domains = List.of("a".repeat(60) + ".one.example", "b".repeat(60) + ".two.example",
                "c".repeat(60) + ".three.example", "d".repeat(60) + ".four.example");
        server.reconfigure(new DhcpConfig(3600, null, DomainSearchList.of(domains), null, Path.of(DhcpConfig.DEFAULT_RESOLV_CONF)));
        ReplyView small = exchange(ClientMessage.discover(A)).reply();
        assertNull(small.options().get(119));
        assertEquals(1, server.counters().get(Counter.SEARCH_LIST_DROPPED));
        ReplyView large = exchange(ClientMessage.discover(A).maxMessageSize(1500)).reply();
        assertNotNull(large.options().get(119));
    }

    @Test
    void malformed_isCountedAndDropped() {
        deliver(new byte[10]);
        byte[] badCookie = ClientMessage.discover(A).bytes();
        badCookie[236] = 0;
        deliver(badCookie);
        byte[] reply = ClientMessage.discover(A).bytes();
        reply[0] = 2;
        deliver(reply);
        assertEquals(List.of(), replier.take());
        assertEquals(1, server.counters().get(MalformedReason.SHORT));
        assertEquals(1, server.counters().get(MalformedReason.BAD_COOKIE));
        assertEquals(1, server.counters().get(MalformedReason.BAD_OP));
        assertEquals(0, server.counters().get(Counter.DISCOVER));
        @SuppressWarnings("unchecked")
        Map<String, Object> malformed = (Map<String, Object>) server.counters().snapshot().get("malformed");
        assertEquals(1L, malformed.get("bad_cookie"));
    }

    @Test
    void mutatedMessages_neverThrow() {
        Random random = new Random(2131);
        List<byte[]> seeds = List.of(Fixtures.bytes("udhcpc-discover.bin"), Fixtures.bytes("udhcpc-request.bin"),
                ClientMessage.request(A).ciaddr("192.168.127.3").bytes(),
                ClientMessage.decline(B).requested("192.168.127.4").serverId(GATEWAY).bytes());
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = seeds.get(i % seeds.size()).clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                // Mostly the options, where the structure is.
                int at = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : 240 + random.nextInt(bytes.length - 240);
                bytes[at] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(8) == 0 ? random.nextInt(bytes.length) : bytes.length;
            deliver(java.util.Arrays.copyOf(bytes, length));
            replier.take();
        }
        assertEquals(0, server.counters().get(Counter.INTERNAL_ERRORS));
    }

    @Test
    void statsSnapshot_hasEveryCounter() {
        lease(A);
        Map<String, Object> snapshot = server.counters().snapshot();
        for (String key : List.of("discover", "offer", "request", "ack", "nak", "release", "decline", "inform")) {
            assertTrue(snapshot.get(key) instanceof Long, key);
        }
        assertEquals(1L, snapshot.get("ack"));
        assertTrue(snapshot.get("malformed") instanceof Map);
    }
}
