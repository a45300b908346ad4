package io.tapvsock.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;

/**
 * Looks at a new connection's first bytes: a request of its {@link HandoverKind} becomes a
 * {@link SocketHandover}, anything else goes on to the next detector or to HTTP/1.1. Sits in a Jetty
 * DetectorConnectionFactory in front of the HTTP factory, one per kind.
 */
final class HandoverDetector extends AbstractConnectionFactory implements ConnectionFactory.Detecting {

    private final String description;
    private final HandoverKind kind;

    /** @param description the endpoint, for logs and the new owner's description */
    HandoverDetector(String description, HandoverKind kind) {
        super("tapvsock-" + kind.name().replace(' ', '-'));
        this.description = description;
        this.kind = kind;
    }

    @Override
    public Detection detect(ByteBuffer buffer) {
        ByteBuf bytes = Unpooled.wrappedBuffer(buffer); // a view from the position: no copy, the buffer stays put
        try {
            return kind.detect(bytes);
        } finally {
            bytes.release();
        }
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        return configure(new SocketHandover(endPoint, connector.getExecutor(), description, kind), connector,
                endPoint);
    }
}
