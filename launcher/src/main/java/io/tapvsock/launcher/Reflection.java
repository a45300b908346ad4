package io.tapvsock.launcher;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Calls into services whose API packages the launcher does not share with the framework (Gogo's
 * CommandProcessor, SCR's ServiceComponentRuntime): methods are looked up on the public interface the service
 * object implements, by name and arity, so no class of those bundles is loaded by the launcher.
 */
final class Reflection {

    private Reflection() {
    }

    /**
     * Invokes {@code method} of the interface named {@code interfaceName} that {@code target} implements.
     *
     * @throws InvocationTargetException what the method threw
     */
    static Object invoke(Object target, String interfaceName, String method, Object... args)
            throws InvocationTargetException {
        Class<?> api = findInterface(target.getClass(), interfaceName);
        for (Method candidate : api.getMethods()) {
            if (candidate.getName().equals(method) && candidate.getParameterCount() == args.length) {
                try {
                    return candidate.invoke(target, args);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(interfaceName + "." + method + " is not accessible", e);
                }
            }
        }
        throw new IllegalStateException(interfaceName + " has no method " + method + " of " + args.length + " arguments");
    }

    /** A public field of a DTO object. */
    static Object field(Object dto, String name) {
        try {
            return dto.getClass().getField(name).get(dto);
        } catch (NoSuchFieldException e) {
            return null; // an older DTO version
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(dto.getClass().getName() + "." + name + " is not accessible", e);
        }
    }

    private static Class<?> findInterface(Class<?> type, String name) {
        Deque<Class<?>> pending = new ArrayDeque<>();
        pending.add(type);
        while (!pending.isEmpty()) {
            Class<?> next = pending.poll();
            if (next.isInterface() && next.getName().equals(name)) {
                return next;
            }
            if (next.getSuperclass() != null) {
                pending.add(next.getSuperclass());
            }
            pending.addAll(java.util.List.of(next.getInterfaces()));
        }
        throw new IllegalStateException(type.getName() + " does not implement " + name);
    }
}
