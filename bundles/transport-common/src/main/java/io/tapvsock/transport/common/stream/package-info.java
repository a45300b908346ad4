/**
 * Ethernet frames over byte streams, for every transport that has them (qemu's 4-byte big-endian framing,
 * hyperkit's 2-byte little-endian one): {@link io.tapvsock.transport.common.stream.LengthPrefix},
 * the decoder and sink that use it, {@link io.tapvsock.transport.common.stream.StreamPort}, the handler
 * that makes one connection a switch port, and {@link io.tapvsock.transport.common.stream.StreamListener},
 * the server socket whose clients become such connections. The sink and the port take a transport's own extra
 * (qemu's vnet mode) by subclassing. All of it runs on the network loop.
 */
@Export
@Version("1.1.0")
package io.tapvsock.transport.common.stream;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
