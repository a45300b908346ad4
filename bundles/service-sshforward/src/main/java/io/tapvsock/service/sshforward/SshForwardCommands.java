package io.tapvsock.service.sshforward;

import io.tapvsock.service.sshforward.core.SshForward;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo shell, scope tapvsock: {@code sshforwards} lists every SSH socket forward and its session's state. */
@Component(service = Object.class, property = {"osgi.command.scope=tapvsock", "osgi.command.function=sshforwards"})
public final class SshForwardCommands {

    private final SshForwards forwards;

    @Activate
    public SshForwardCommands(@Reference(name = "forwards") SshForwards forwards) {
        this.forwards = forwards;
    }

    public String sshforwards() {
        List<SshForward> open = forwards.list();
        if (open.isEmpty()) {
            return "no SSH forwards\n";
        }
        StringBuilder text = new StringBuilder();
        open.forEach(forward -> text.append(forward.describe()).append('\n'));
        return text.toString();
    }
}
