/**
 * The vfkit transport: gvproxy's {@code -listen-vfkit unixgram:///path}.
 */
package io.tapvsock.transport.vfkit;
