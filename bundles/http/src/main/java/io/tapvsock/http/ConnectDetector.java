package io.tapvsock.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.transport.common.connect.ConnectRequest;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;

/**
 * Looks at a new connection's first bytes: a {@code POST /connect} request becomes a {@link ConnectHandover},
 * anything else goes on to HTTP/1.1 (transport-common's {@link ConnectRequest} decides). Sits in a Jetty
 * DetectorConnectionFactory in front of the HTTP factory.
 */
final class ConnectDetector extends AbstractConnectionFactory implements ConnectionFactory.Detecting {

    private final String description;
    private final FrameStreamsHolder frameStreams;

    /** @param description the endpoint, for logs and the port's description */
    ConnectDetector(String description, FrameStreamsHolder frameStreams) {
        super("tapvsock-connect");
        this.description = description;
        this.frameStreams = frameStreams;
    }

    @Override
    public Detection detect(ByteBuffer buffer) {
        ByteBuf bytes = Unpooled.wrappedBuffer(buffer); // a view from the position: no copy, the buffer stays put
        try {
            return switch (ConnectRequest.detect(bytes)) {
                case CONNECT -> Detection.RECOGNIZED;
                case NEED_MORE -> Detection.NEED_MORE_BYTES;
                case NOT_CONNECT -> Detection.NOT_RECOGNIZED;
            };
        } finally {
            bytes.release();
        }
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        return configure(new ConnectHandover(endPoint, connector.getExecutor(), description, frameStreams),
                connector, endPoint);
    }
}
