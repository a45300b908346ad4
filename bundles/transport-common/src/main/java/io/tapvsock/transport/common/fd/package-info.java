/**
 * Ethernet frames over a file descriptor that moves one frame per read and per write (a TAP, a SOCK_SEQPACKET
 * socket), driven by the network loop's own epoll: {@link io.tapvsock.transport.common.fd.FdPort}, the switch
 * port of one such fd, {@link io.tapvsock.transport.common.fd.FdFrameSink}, its queue of frames toward the guest,
 * and {@link io.tapvsock.transport.common.fd.FrameQueue}. All of it runs on the network loop.
 */
@Export
@Version("1.0.0")
package io.tapvsock.transport.common.fd;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
