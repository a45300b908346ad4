package io.tapvsock.stack.osgi;

import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo shell commands: tapvsock:cam, tapvsock:ports, tapvsock:flows, tapvsock:pings, tapvsock:neighbours. */
@Component(service = Object.class, property = {
        "osgi.command.scope=tapvsock",
        "osgi.command.function=cam",
        "osgi.command.function=ports",
        "osgi.command.function=flows",
        "osgi.command.function=pings",
        "osgi.command.function=neighbours"})
public final class StackCommands {

    private final StackControl control;

    @Activate
    public StackCommands(@Reference(name = "control") StackControl control) {
        this.control = control;
    }

    /** MAC address and port id of every learned guest. */
    public String cam() {
        StringBuilder text = new StringBuilder();
        control.cam().forEach((mac, port) -> text.append(mac).append("  port ").append(port).append('\n'));
        return text.isEmpty() ? "no MAC address learned yet" : text.toString().stripTrailing();
    }

    /** Attached ports with their counters. */
    public String ports() {
        return lines(control.ports(), "no port attached");
    }

    /** UDP NAT flows, least recently used first. */
    public String flows() {
        return lines(control.udpFlows(), "no UDP flow");
    }

    /** Forwarded ICMP echo flows, least recently used first. */
    public String pings() {
        return lines(control.icmpFlows(), "no ICMP echo flow");
    }

    /** The gateway's neighbour table. */
    public String neighbours() {
        Map<?, String> neighbours = control.neighbours();
        StringBuilder text = new StringBuilder();
        neighbours.forEach((ip, where) -> text.append(ip).append("  ").append(where).append('\n'));
        return text.isEmpty() ? "no neighbour learned yet" : text.toString().stripTrailing();
    }

    private static String lines(List<String> lines, String empty) {
        return lines.isEmpty() ? empty : String.join("\n", lines);
    }
}
