/**
 * TAP devices through the JDK's FFM API (no JNI): create or attach a TAP by name, optionally inside another
 * network namespace, set its MAC, MTU and link state, and move one Ethernet frame per read or write.
 * Linux x86_64 only. {@link io.tapvsock.tap.VirtioNetHeader} reads and writes the virtio-net header that a TAP
 * opened with offload puts in front of each frame (over Netty ByteBufs: io.netty.buffer is an optional import).
 */
@Export
@Version("1.3.0")
package io.tapvsock.tap;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
