package io.stmactors.stm.internal;

import java.security.CodeSource;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names unnamed transactions by the line that started them ("Bank.transfer(Bank.java:42)").
 *
 * <p>A stack walk costs microseconds, so it runs only on the abort path, once per transaction body
 * class (each lambda has its own class): the result is cached. The engine's own body classes, which
 * many call sites share, are named by their class instead (the engine names its common helpers'
 * transactions, e.g. "TRef.updateAndGet"). Engine frames are recognized by
 * their code source (the jar or classes directory of this module), so that user classes that
 * happen to live in a package named {@code io.stmactors.stm} are still reported.
 */
public final class CallSites {
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final CodeSource ENGINE = CallSites.class.getProtectionDomain().getCodeSource();
    private static final String TOP_FRAME_CLASS = "io.stmactors.stm.TxnDescriptor";
    private static final String TOP_FRAME_METHOD = "runTop";
    private static final Map<Class<?>, String> CACHE = new ConcurrentHashMap<>();

    private CallSites() {
    }

    /**
     * The call site of the running top-level transaction whose body has class {@code bodyClass}.
     * Must be called from inside that transaction (it walks the current stack). A body class of the
     * engine's own (a collection's helper) is shared by every caller: it is named by its class, not
     * by a caller's line (which would be the first aborting caller's for all of them).
     */
    public static String of(Class<?> bodyClass) {
        String site = CACHE.get(bodyClass);
        if (site == null) {
            if (isEngine(bodyClass)) {
                // A body class of the engine's (a collection view's helper) is shared by every
                // caller: no one caller's line names it right, and a walk per abort costs 10-30 µs.
                site = simpleName(bodyClass);
                CACHE.putIfAbsent(bodyClass, site);
            } else {
                site = walk();
                if (site == null) {
                    site = simpleName(bodyClass);
                } else {
                    CACHE.putIfAbsent(bodyClass, site);
                }
            }
        }
        return site;
    }

    /** The cached call site of {@code bodyClass}, or its readable class name if never resolved. */
    public static String known(Class<?> bodyClass) {
        String site = CACHE.get(bodyClass);
        return site != null ? site : simpleName(bodyClass);
    }

    private static String walk() {
        return WALKER.walk(frames -> {
            boolean passedTop = false;
            for (var it = frames.iterator(); it.hasNext(); ) {
                StackWalker.StackFrame f = it.next();
                if (!passedTop) {
                    passedTop = TOP_FRAME_CLASS.equals(f.getClassName()) && TOP_FRAME_METHOD.equals(f.getMethodName());
                    continue;
                }
                if (!isEngine(f.getDeclaringClass())) {
                    return f.getDeclaringClass().getSimpleName() + "." + f.getMethodName()
                            + "(" + f.getFileName() + ":" + f.getLineNumber() + ")";
                }
            }
            return null;
        });
    }

    private static boolean isEngine(Class<?> c) {
        return c.getName().startsWith("io.stmactors.stm.")
                && Objects.equals(c.getProtectionDomain().getCodeSource(), ENGINE);
    }

    /** "Bank$$Lambda$14/0x0000..." becomes "Bank (lambda)". */
    public static String simpleName(Class<?> c) {
        String n = c.getName();
        int lambda = n.indexOf("$$Lambda");
        if (lambda >= 0) {
            n = n.substring(0, lambda) + " (lambda)";
        }
        int dot = n.lastIndexOf('.');
        return dot >= 0 ? n.substring(dot + 1) : n;
    }
}
