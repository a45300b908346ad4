package io.tapvsock.launcher;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * What SCR says about the component that a configuration (by PID) configures: active, failed to activate (a
 * listener that could not bind throws from its activate method), or waiting for a reference. Read from
 * ServiceComponentRuntime's DTOs, through {@link Reflection} since the launcher does not share SCR's API.
 */
final class ComponentStates {

    private static final String RUNTIME = "org.osgi.service.component.runtime.ServiceComponentRuntime";

    /** ComponentConfigurationDTO states. */
    static final int UNSATISFIED_CONFIGURATION = 1;
    static final int UNSATISFIED_REFERENCE = 2;
    static final int SATISFIED = 4;
    static final int ACTIVE = 8;
    static final int FAILED_ACTIVATION = 16;

    /**
     * @param component the component's name
     * @param state one of the constants above
     * @param failure why activation failed, or null
     * @param unsatisfiedReferences names of the references still missing
     */
    record State(String component, int state, String failure, List<String> unsatisfiedReferences) {
    }

    private final BundleContext context;

    ComponentStates(BundleContext context) {
        this.context = context;
    }

    /** The state of the component configured by {@code pid}; empty when SCR knows no such component (yet). */
    Optional<State> find(String pid) {
        ServiceReference<?> reference = context.getServiceReference(RUNTIME);
        Object runtime = reference == null ? null : context.getService(reference);
        if (runtime == null) {
            return Optional.empty();
        }
        try {
            for (Object description : (Collection<?>) Reflection.invoke(runtime, RUNTIME,
                    "getComponentDescriptionDTOs", (Object) new Bundle[0])) {
                for (Object configuration : (Collection<?>) Reflection.invoke(runtime, RUNTIME,
                        "getComponentConfigurationDTOs", description)) {
                    Map<?, ?> properties = (Map<?, ?>) Reflection.field(configuration, "properties");
                    if (properties != null && pid.equals(String.valueOf(properties.get("service.pid")))) {
                        return Optional.of(new State(String.valueOf(Reflection.field(description, "name")),
                                ((Number) Reflection.field(configuration, "state")).intValue(),
                                (String) Reflection.field(configuration, "failure"),
                                unsatisfied(configuration)));
                    }
                }
            }
            return Optional.empty();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("ServiceComponentRuntime failed: " + e.getCause(), e.getCause());
        } finally {
            context.ungetService(reference);
        }
    }

    private static List<String> unsatisfied(Object configuration) {
        List<String> names = new ArrayList<>();
        if (Reflection.field(configuration, "unsatisfiedReferences") instanceof Object[] references) {
            for (Object reference : references) {
                names.add(String.valueOf(Reflection.field(reference, "name")));
            }
        }
        return names;
    }
}
