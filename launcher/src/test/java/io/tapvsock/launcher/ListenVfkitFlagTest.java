package io.tapvsock.launcher;

/** gvproxy's {@code -listen-vfkit unixgram:///path}. */
class ListenVfkitFlagTest extends ListenFlagFixture.SocketPathFlag {

    ListenVfkitFlagTest() {
        super("-listen-vfkit", "unixgram", DaemonOptions::listenVfkit);
    }
}
