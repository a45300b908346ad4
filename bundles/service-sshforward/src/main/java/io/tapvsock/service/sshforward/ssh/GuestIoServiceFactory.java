package io.tapvsock.service.sshforward.ssh;

import io.tapvsock.api.GuestTcpConnector;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.apache.sshd.common.Factory;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.io.IoServiceFactoryFactory;
import org.apache.sshd.common.util.closeable.AbstractCloseable;
import org.apache.sshd.common.util.threads.CloseableExecutorService;

/**
 * Plugs {@link GuestIoConnector} into MINA SSHD (its IoServiceFactory extension point, the one sshd-netty
 * uses). Client only: nothing here accepts SSH connections.
 */
final class GuestIoServiceFactory extends AbstractCloseable implements IoServiceFactory {

    private final GuestTcpConnector connector;
    private final Supplier<InetSocketAddress> source;
    private volatile IoServiceEventListener eventListener;

    GuestIoServiceFactory(GuestTcpConnector connector, Supplier<InetSocketAddress> source) {
        this.connector = connector;
        this.source = source;
    }

    /** What {@code SshClient.setIoServiceFactoryFactory} takes. */
    static IoServiceFactoryFactory factoryFactory(GuestTcpConnector connector, Supplier<InetSocketAddress> source) {
        return new IoServiceFactoryFactory() {
            @Override
            public IoServiceFactory create(FactoryManager manager) {
                return new GuestIoServiceFactory(connector, source);
            }

            @Override
            public void setExecutorServiceFactory(Factory<CloseableExecutorService> factory) {
                // Each SSH connection has its own thread (GuestIoSession); no shared pool to configure.
            }
        };
    }

    @Override
    public IoConnector createConnector(IoHandler handler) {
        GuestIoConnector created = new GuestIoConnector(connector, source, handler);
        created.setIoServiceEventListener(eventListener);
        return created;
    }

    @Override
    public IoAcceptor createAcceptor(IoHandler handler) {
        throw new UnsupportedOperationException("tapvsock's SSH transport only connects to guests");
    }

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return eventListener;
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        eventListener = listener;
    }
}
