package io.tapvsock.service.forwarder;

import io.tapvsock.service.forwarder.core.Forward;
import io.tapvsock.service.forwarder.core.ForwardException;
import io.tapvsock.service.forwarder.core.ForwardApi;
import io.tapvsock.service.forwarder.core.Forwards;
import java.util.Locale;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell, scope tapvsock:
 * <ul>
 * <li>{@code forwards}: every open forward, sorted as the API lists them, and where it came from;</li>
 * <li>{@code expose PROTO LOCAL REMOTE}: as POST /services/forwarder/expose (the remote needs its IP here);</li>
 * <li>{@code unexpose PROTO LOCAL}: as POST /services/forwarder/unexpose.</li>
 * </ul>
 * Errors come back as text starting with "error:"; nothing changes then.
 */
@Component(service = Object.class, property = {"osgi.command.scope=tapvsock",
        "osgi.command.function=forwards", "osgi.command.function=expose", "osgi.command.function=unexpose"})
public final class ForwarderCommands {

    private final ForwarderRegistry registry;

    @Activate
    public ForwarderCommands(@Reference(name = "forwarder") ForwarderRegistry registry) {
        this.registry = registry;
    }

    public String forwards() {
        StringBuilder text = new StringBuilder();
        for (Forwards.Open open : registry.forwards().list()) {
            Forward forward = open.forward();
            text.append(String.format(Locale.ROOT, "%-6s %-30s -> %-30s %s%n", forward.protocol(), forward.local(),
                    forward.remote(), open.configured() ? "configuration" : "api/shell"));
        }
        return text.isEmpty() ? "no forwards\n" : text.toString();
    }

    public String expose(String protocol, String local, String remote) {
        try {
            Forward forward = ForwardApi.withClientAddress(new Forward(local, remote, protocol), "");
            registry.forwards().expose(forward, false);
            return "exposed " + forward.protocol() + " " + forward.local() + " -> " + forward.remote();
        } catch (IllegalArgumentException | ForwardException e) {
            return "error: " + e.getMessage();
        }
    }

    public String unexpose(String protocol, String local) {
        try {
            Forward removed = registry.forwards().unexpose(protocol, local);
            return "unexposed " + removed.protocol() + " " + removed.local();
        } catch (ForwardException e) {
            return "error: " + e.getMessage();
        }
    }
}
