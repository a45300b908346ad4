package io.tapvsock.launcher;

/** gvproxy's {@code -listen-bess unixpacket:///path}. */
class ListenBessFlagTest extends ListenFlagFixture.SocketPathFlag {

    ListenBessFlagTest() {
        super("-listen-bess", "unixpacket", DaemonOptions::listenBess);
    }
}
