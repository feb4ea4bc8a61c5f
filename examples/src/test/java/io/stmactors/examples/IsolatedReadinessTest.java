package io.stmactors.examples;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.examples.internal.Mandelbrot;
import io.stmactors.examples.internal.WorkLoop;
import io.stmactors.stm.TArray;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TMap;
import io.stmactors.stm.TQueue;
import io.stmactors.stm.TRef;
import io.stmactors.stm.TSet;
import org.junit.jupiter.api.Test;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The demos must run unchanged in isolated mode, where behaviors are shipped to other JVMs with
 * what their lambdas capture. This walks each demo's behaviors - the behavior objects, the
 * serializable lambdas inside, what those capture - and accepts only what isolated mode can carry:
 * transactional references (the replicated heap), actor references, primitives and strings, and
 * records registered with the actor system. A captured AtomicInteger, array, list or demo object
 * would be silently copied into each process, so it fails here.
 */
class IsolatedReadinessTest {

    @Test
    void everyDemoBehaviorCapturesOnlySharedHeapReferencesAndRegisteredRecords() {
        TArray<Long> longs = TArray.named("test.longs", 4);
        assertShippable(WorkLoop.behavior(BankDemo.transferStep(longs)), WorkLoop.MESSAGE_CLASSES);
        assertShippable(BankDemo.account(), BankDemo.ACTOR_CLASSES);
        assertShippable(BankDemo.client(TArray.named("test.refs", 4)), BankDemo.ACTOR_CLASSES);
        assertShippable(ListComputeDemo.computer(new Mandelbrot(4, 4, 4), longs,
                TRef.of(new ListComputeDemo.Best(0, 0))), ListComputeDemo.ACTOR_CLASSES);
        assertShippable(ReactorDemo.reactor(TMap.named("test.store"), 10), ReactorDemo.CLASSES);
        assertShippable(WorkLoop.behavior(SharedStructureDemo.step(TMap.named("test.map"), 4, 2, 50)),
                WorkLoop.MESSAGE_CLASSES);
        assertShippable(WorkLoop.behavior(ContentionDemo.step(TLong.of(0), longs, longs, 50, 10)),
                WorkLoop.MESSAGE_CLASSES);
    }

    @Test
    void aCapturedPlainJavaObjectIsCaught() {
        AtomicInteger counter = new AtomicInteger();
        Behavior<String> leaky = Behaviors.receive((ctx, msg) -> {
            counter.incrementAndGet();
            return Behaviors.same();
        });
        AssertionError e = assertThrows(AssertionError.class, () -> assertShippable(leaky, List.of()));
        assertTrue(e.getMessage().contains("AtomicInteger"), e.getMessage());
    }

    /** Values that are the same wherever they are copied (not Number: AtomicInteger is one). */
    private static final Set<Class<?>> IMMUTABLE_VALUES = Set.of(Long.class, Integer.class, Short.class, Byte.class,
            Double.class, Float.class, Boolean.class, Character.class, String.class);

    static void assertShippable(Object behavior, List<Class<?>> registered) {
        walk(behavior, "behavior", registered, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static void walk(Object o, String path, List<Class<?>> registered, Set<Object> seen) {
        if (o == null || !seen.add(o)) {
            return;
        }
        Class<?> c = o.getClass();
        if (IMMUTABLE_VALUES.contains(c) || c.isEnum()) {
            return;
        }
        if (o instanceof TRef || o instanceof TLong || o instanceof TArray || o instanceof TMap || o instanceof TSet
                || o instanceof TQueue || o instanceof ActorRef) {
            return; // the replicated heap, and addresses
        }
        if (c.isHidden() || c.getName().contains("$$Lambda")) {
            SerializedLambda lambda = serialized(o, path);
            for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                walk(lambda.getCapturedArg(i), path + " -> lambda " + lambda.getImplMethodName() + " captures #" + i,
                        registered, seen);
            }
            return;
        }
        if (c.isRecord()) {
            if (!registered.contains(c)) {
                fail(path + ": record " + c.getName() + " is not registered with the actor system");
            }
            fields(o, path, registered, seen);
            return;
        }
        if (c.getName().startsWith("io.stmactors.actors.")) {
            fields(o, path, registered, seen); // the runtime's behavior objects
            return;
        }
        fail(path + ": " + c.getName() + " is captured: in isolated mode each process would get its own copy");
    }

    private static void fields(Object o, String path, List<Class<?>> registered, Set<Object> seen) {
        for (Class<?> k = o.getClass(); k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    walk(f.get(o), path + "." + f.getName(), registered, seen);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(path + "." + f.getName() + ": " + e, e);
                }
            }
        }
    }

    private static SerializedLambda serialized(Object lambda, String path) {
        if (!(lambda instanceof java.io.Serializable)) {
            fail(path + ": lambda " + lambda.getClass().getName() + " is not serializable");
        }
        try {
            Method writeReplace = lambda.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return (SerializedLambda) writeReplace.invoke(lambda);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(path + ": cannot inspect lambda: " + e, e);
        }
    }
}
