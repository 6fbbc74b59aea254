package dev.vqclip.app;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Handles POSIX termination signals in the program instead of letting the JVM shut down at once. Uses the JDK's
 * {@code sun.misc.Signal} (module {@code jdk.unsupported}, exported for exactly this use) through reflection, so
 * the build stays free of javac's "internal proprietary API" warnings, which no annotation can silence.
 */
final class TerminationSignals implements AutoCloseable {
    private final List<Object[]> replaced = new ArrayList<>(); // {signal, previous handler}
    private final Method handle;

    private TerminationSignals(Method handle) {
        this.handle = handle;
    }

    /**
     * Installs {@code onSignal} for each named signal the platform knows and the JVM lets a program handle (none
     * with {@code -Xrs}); the others keep their default.
     *
     * @param onSignal receives the signal's name (e.g. "TERM") and number, on the JVM's signal-dispatch thread:
     *     it must return quickly, or later signals wait
     * @return the installation; {@link #close} puts the previous handlers back
     */
    static TerminationSignals install(List<String> names, BiConsumer<String, Integer> onSignal) {
        Class<?> signalClass;
        Class<?> handlerClass;
        Method handleMethod;
        Method nameOf;
        Method numberOf;
        try {
            signalClass = Class.forName("sun.misc.Signal");
            handlerClass = Class.forName("sun.misc.SignalHandler");
            handleMethod = signalClass.getMethod("handle", signalClass, handlerClass);
            nameOf = signalClass.getMethod("getName");
            numberOf = signalClass.getMethod("getNumber");
        } catch (ReflectiveOperationException | LinkageError absent) {
            return new TerminationSignals(null); // a JVM without jdk.unsupported: default termination
        }
        Object handler = Proxy.newProxyInstance(TerminationSignals.class.getClassLoader(),
                new Class<?>[] {handlerClass}, (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        onSignal.accept((String) nameOf.invoke(args[0]), (Integer) numberOf.invoke(args[0]));
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "vqclip termination handler";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        TerminationSignals installed = new TerminationSignals(handleMethod);
        for (String name : names) {
            try {
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                installed.replaced.add(new Object[] {signal, handleMethod.invoke(null, signal, handler)});
            } catch (ReflectiveOperationException notHandled) {
                // unknown here, or reserved by the JVM (-Xrs): that signal keeps its default
            }
        }
        return installed;
    }

    /** @return how many signals are handled */
    int count() {
        return replaced.size();
    }

    /** Puts the handlers that were there before back. */
    @Override
    public void close() {
        for (Object[] r : replaced) {
            try {
                handle.invoke(null, r[0], r[1]);
            } catch (ReflectiveOperationException ignored) {
                // it was installable a moment ago; nothing sensible to do if it no longer is
            }
        }
        replaced.clear();
    }
}
