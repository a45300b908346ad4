package io.tapvsock.launcher;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs a command through Gogo's CommandProcessor service, in a fresh session whose input is empty and whose
 * output is captured; the command's return value is formatted the way the console shows it.
 */
final class GogoCommands implements CommandRunner {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";
    /** Converter.INSPECT: the console's full rendering of a result. */
    private static final int INSPECT = 0;

    private final BundleContext context;

    GogoCommands(BundleContext context) {
        this.context = context;
    }

    @Override
    public Result run(String command) {
        ServiceReference<?> reference = context.getServiceReference(PROCESSOR);
        Object processor = reference == null ? null : context.getService(reference);
        if (processor == null) {
            return new Result(false, "the Gogo runtime is not running\n");
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        boolean ok;
        try {
            Object session = Reflection.invoke(processor, PROCESSOR, "createSession",
                    new ByteArrayInputStream(new byte[0]), out, out);
            try {
                Object result = Reflection.invoke(session, SESSION, "execute", command);
                if (result != null) {
                    out.println(Reflection.invoke(session, SESSION, "format", result, INSPECT));
                }
                ok = true;
            } finally {
                Reflection.invoke(session, SESSION, "close");
            }
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            out.println("gogo: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
            ok = false;
        } catch (RuntimeException e) {
            out.println("gogo: " + e);
            ok = false;
        } finally {
            context.ungetService(reference);
        }
        return new Result(ok, buffer.toString(StandardCharsets.UTF_8));
    }
}
