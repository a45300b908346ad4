package io.tapvsock.transport.tap;

import io.netty.buffer.ByteBufAllocator;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.VirtualNetwork;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Test-only door to the tap transport's package-private link: a TAP in a namespace, configured with the device
 * IP and a default route via the gateway, attached to a network. Lives in that package on the test class path.
 */
public final class TestTapLinks {

    private TestTapLinks() {
    }

    public static AutoCloseable open(VirtualNetwork network, Path netns) throws IOException {
        TapLink link = TapLink.open(network, new TapTransportConfig(Optional.of(netns), "tap0",
                MacAddress.DEFAULT_DEVICE, 0, true), ByteBufAllocator.DEFAULT, TapTransportStatus.newCounters());
        return link::close;
    }
}
