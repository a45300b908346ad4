package io.tapvsock.service.sshforward.ssh;

import io.netty.channel.ChannelFuture;
import io.tapvsock.api.GuestTcpConnector;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.io.DefaultIoConnectFuture;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * MINA SSHD's connector, with the stack's {@link GuestTcpConnector} in place of a host socket: the SSH client's
 * TCP connection is one the virtual network opens into the guest, so sshd at deviceIP:22 is reached however the
 * guest is attached (qemu, vfkit, a namespace's TAP...), and never through the host's own network.
 */
final class GuestIoConnector extends AbstractCloseable implements IoConnector {

    private final GuestTcpConnector connector;
    private final Supplier<InetSocketAddress> source;
    private final IoHandler handler;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, IoSession> sessions = new ConcurrentHashMap<>();
    private volatile IoServiceEventListener eventListener;

    /** @param source the address the guest sees the SSH connection come from (read per connection) */
    GuestIoConnector(GuestTcpConnector connector, Supplier<InetSocketAddress> source, IoHandler handler) {
        this.connector = connector;
        this.source = source;
        this.handler = handler;
    }

    @Override
    public IoConnectFuture connect(SocketAddress address, AttributeRepository context, SocketAddress localAddress) {
        IoConnectFuture future = new DefaultIoConnectFuture(address, null);
        if (!(address instanceof InetSocketAddress target)) {
            future.setException(new IllegalArgumentException("not an IP address and port: " + address));
            return future;
        }
        long id = ids.incrementAndGet();
        GuestIoSession session = new GuestIoSession(id, this, handler, future);
        if (context != null) {
            session.setAttribute(AttributeRepository.class, context);
        }
        sessions.put(id, session);
        session.addCloseFutureListener(closed -> sessions.remove(id));
        ChannelFuture connected;
        try {
            connected = connector.connect(source.get(), target, session.adapter());
        } catch (RuntimeException e) {
            sessions.remove(id);
            session.connectFailed(e);
            return future;
        }
        connected.addListener(done -> {
            if (!done.isSuccess()) {
                sessions.remove(id);
                session.connectFailed(done.cause());
            }
        });
        return future; // completed by the session once the guest accepted and MINA made its SSH session
    }

    @Override
    public Map<Long, IoSession> getManagedSessions() {
        return Collections.unmodifiableMap(sessions);
    }

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return eventListener;
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        eventListener = listener;
    }

    @Override
    protected void doCloseImmediately() {
        sessions.values().forEach(session -> session.close(true));
        super.doCloseImmediately();
    }
}
