package io.tapvsock.service.sshforward.core;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.tapvsock.service.sshforward.ssh.GuestSshClient;
import io.tapvsock.service.sshforward.ssh.SshTarget;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * One gvproxy -forward-sock: a host unix socket (mode 0600) whose every connection becomes a
 * {@code direct-streamlocal@openssh.com} channel to {@code dest} in the guest, over one SSH session that all of
 * them share ({@link GuestSocketRelay}, which also holds connections while there is no session). The socket exists
 * from the start and the session is made at once, as gvproxy's are; an ssh-tunnel expose is the same with its
 * session made at the first connection.
 */
public final class SshForward implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SshForward.class.getName());

    private final SshForwardConfig config;
    private final GuestSocketRelay relay;
    private final UnixSocketListener listener;

    /**
     * Listens at once and starts connecting. Off the loop (it waits for the bind).
     *
     * @param loop       the host socket's loop: the network's
     *
     * @param sshAddress the guest's sshd (device IP, port 22), read before each connection attempt
     * @throws IOException naming the socket, when it cannot listen there
     */
    public SshForward(SshForwardConfig config, EventLoop loop, GuestSshClient client,
            Supplier<InetSocketAddress> sshAddress, SshForwardCounters counters) throws IOException {
        this(config, loop, client, sshAddress, counters, true);
    }

    /**
     * @param sessionAtOnce make the session now (-forward-sock), or when the first connection comes (an
     *                      ssh-tunnel expose, as gvproxy)
     */
    public SshForward(SshForwardConfig config, EventLoop loop, GuestSshClient client,
            Supplier<InetSocketAddress> sshAddress, SshForwardCounters counters, boolean sessionAtOnce)
            throws IOException {
        this.config = config;
        this.relay = new GuestSocketRelay("forward " + config.socket(), config.dest(), loop, client,
                () -> new SshTarget(sshAddress.get(), config.user(), config.identity()), counters);
        this.listener = UnixSocketListener.open(loop, config.socket(), new Accepted());
        if (sessionAtOnce) {
            relay.start();
        }
        LOG.log(Level.INFO, "forwarding " + config.socket() + " to " + config.dest() + " in the guest as "
                + config.user());
    }

    public SshForwardConfig config() {
        return config;
    }

    /** Is the SSH session up? */
    public boolean sessionUp() {
        return relay.sessionUp();
    }

    /** One line for the shell: the socket, where it goes and the session's state. */
    public String describe() {
        return config.socket() + " -> " + config.user() + "@guest:" + config.dest() + "  " + relay.state();
    }

    /** Stops listening, closes held connections and the session (and with it every relayed connection). */
    @Override
    public void close() {
        listener.close();
        relay.close();
    }

    /** Each accepted host connection (auto-read off until its channel is open). */
    private final class Accepted extends ChannelInboundHandlerAdapter {
        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.pipeline().remove(this);
            relay.relay(ctx.channel());
        }
    }
}
