/**
 * TAP devices through the JDK's FFM API (no JNI): create or attach a TAP by name, optionally inside another
 * network namespace, set its MAC, MTU and link state, and move one Ethernet frame per read or write.
 * Linux x86_64 only. {@link io.tapvsock.tap.VirtioNetHeader} reads and writes the virtio-net header that a TAP
 * opened with offload puts in front of each frame (over Netty ByteBufs: io.netty.buffer is an optional import).
 * {@link io.tapvsock.tap.Libc} (errno-capturing downcalls), {@link io.tapvsock.tap.NativeFd} (closing an fd that
 * other threads may be blocked on) and {@link io.tapvsock.tap.BufferAddressCache} are the FFM plumbing that the
 * TAP code and the bundle's guest forwarder share.
 */
@Export
@Version("1.4.0")
package io.tapvsock.tap;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
