package io.tapvsock.transport.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TapTransportConfigTest {

    /** The component's Config as SCR would build it from a configuration with these values. */
    private static TapTransportComponent.Config config(String netns, String iface, String mac, int mtu,
            boolean configure) {
        return config(netns, iface, mac, mtu, configure, true);
    }

    private static TapTransportComponent.Config config(String netns, String iface, String mac, int mtu,
            boolean configure, boolean offload) {
        return new TapTransportComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return TapTransportComponent.Config.class;
            }

            @Override
            public String netns() {
                return netns;
            }

            @Override
            public String iface() {
                return iface;
            }

            @Override
            public String mac() {
                return mac;
            }

            @Override
            public int mtu() {
                return mtu;
            }

            @Override
            public boolean configure() {
                return configure;
            }

            @Override
            public boolean offload() {
                return offload;
            }
        };
    }

    @Test
    void componentDefaults_areTap0InOwnNamespace_deviceMac_networkMtu_configured() {
        TapTransportConfig config = TapTransportComponent.from(config("", "tap0", "5a:94:ef:e4:0c:ee", 0, true));

        assertEquals(TapTransportConfig.defaults(), config);
        assertEquals(Optional.empty(), config.netns());
        assertEquals(MacAddress.DEFAULT_DEVICE, config.mac());
        assertTrue(config.configure());
        assertTrue(config.offload());
        assertEquals(1500, config.mtuFor(NetworkSettings.defaults()));
        assertEquals("tap tap0 in the daemon's namespace", config.describe());
    }

    @Test
    void givenValues_areKept_andBlankTextMeansDefault() {
        TapTransportConfig config = TapTransportComponent.from(
                config(" /var/run/netns/g1 ", "eth9", "02-00-00-00-00-07", 65520, false));

        assertEquals(Optional.of(Path.of("/var/run/netns/g1")), config.netns());
        assertEquals("eth9", config.iface());
        assertEquals(MacAddress.parse("02:00:00:00:00:07"), config.mac());
        assertEquals(65520, config.mtuFor(NetworkSettings.defaults()));
        assertFalse(config.configure());
        assertEquals("tap eth9 in /var/run/netns/g1", config.describe());

        assertEquals(TapTransportConfig.defaults(), TapTransportConfig.of(null, " ", "", 0, true, true));
    }

    @Test
    void offload_isOnByDefault_andCanBeTurnedOff() {
        assertTrue(TapTransportConfig.defaults().offload());
        assertTrue(new TapTransportConfig(Optional.empty(), "tap0", MacAddress.DEFAULT_DEVICE, 0, true).offload());
        TapTransportConfig off = TapTransportComponent.from(config("", "tap0", "", 0, true, false));
        assertFalse(off.offload());
        assertEquals(TapTransportConfig.defaults(), TapTransportConfig.of("", "", "", 0, true,
                TapTransportConfig.DEFAULT_OFFLOAD));
    }

    @Test
    void mtuZero_followsTheNetwork() {
        NetworkSettings jumbo = NetworkSettings.fromProperties(Map.of(NetworkSettings.MTU, "9000"));
        assertEquals(9000, TapTransportConfig.defaults().mtuFor(jumbo));
    }

    @Test
    void badValues_areRefused_namingTheProperty() {
        assertRefused("netns: \"run/netns/g1\" is not an absolute path", "run/netns/g1", "tap0", "", 0);
        assertRefused("iface: not a usable interface name: \"sixteen-chars-xx\"", "", "sixteen-chars-xx", "", 0);
        assertRefused("iface: not a usable interface name: \"a/b\"", "", "a/b", "", 0);
        assertRefused("mac: not a MAC address: \"5a:94:ef\"", "", "tap0", "5a:94:ef", 0);
        assertRefused("mac: 01:00:5e:00:00:01 is a multicast address", "", "tap0", "01:00:5e:00:00:01", 0);
        assertRefused("mtu: 67 is neither 0 (the network's MTU) nor inside 68..65535", "", "tap0", "", 67);
        assertRefused("mtu: 65536 is neither 0 (the network's MTU) nor inside 68..65535", "", "tap0", "", 65536);
        assertRefused("mtu: -1 is neither 0 (the network's MTU) nor inside 68..65535", "", "tap0", "", -1);
    }

    private static void assertRefused(String message, String netns, String iface, String mac, int mtu) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TapTransportConfig.of(netns, iface, mac, mtu, true, true));
        assertEquals(message, e.getMessage());
    }
}
