/**
 * Ethernet frames over byte streams, for every transport that has them (qemu's 4-byte big-endian framing,
 * hyperkit's 2-byte little-endian one): {@link io.tapvsock.transport.common.stream.LengthPrefix},
 * the decoder and sink that use it, and {@link io.tapvsock.transport.common.stream.StreamPort}, the handler
 * that makes one connection a switch port. All of it runs on the network loop.
 */
@Export
@Version("1.0.0")
package io.tapvsock.transport.common.stream;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
