package io.stmactors.stm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The overload of {@code Stm.atomic} the caller chose decides which method of the body runs, even
 * for a body that is both a {@link TxnCallable} and a {@link TxnRunnable} (the engine is told the
 * kind instead of testing the body's type).
 */
class BodyDispatchTest {

    /** A body of both kinds that records which of its methods ran. */
    static final class Both implements TxnCallable<String>, TxnRunnable {
        final List<String> ran = new ArrayList<>();
        final TLong counter = TLong.of(0);

        @Override
        public String call() {
            counter.increment();
            ran.add("call");
            return "called";
        }

        @Override
        public void run() {
            counter.increment();
            ran.add("run");
        }
    }

    @Test
    void theRunnableOverloadRunsRunAndTheCallableOverloadRunsCall() {
        Both body = new Both();
        Stm.atomic((TxnRunnable) body);
        assertEquals(List.of("run"), body.ran);
        assertEquals("called", Stm.atomic((TxnCallable<String>) body));
        assertEquals(List.of("run", "call"), body.ran);
        Stm.atomic("named", (TxnRunnable) body);
        assertEquals("called", Stm.atomic("named", (TxnCallable<String>) body));
        assertEquals(List.of("run", "call", "run", "call"), body.ran);
        assertEquals(4, body.counter.get());
    }

    @Test
    void nestedBodiesAreDispatchedTheSameWay() {
        Both body = new Both();
        Object result = Stm.atomic(() -> {
            Stm.atomic((TxnRunnable) body);
            return Stm.atomic((TxnCallable<String>) body);
        });
        assertEquals("called", result);
        assertEquals(List.of("run", "call"), body.ran);
        assertEquals(2, body.counter.get());
    }

    @Test
    void tryAtomicRunsARunnable() {
        Both body = new Both();
        assertEquals(true, Stm.tryAtomic("try", body, () -> { }));
        assertEquals(List.of("run"), body.ran);
    }

    @Test
    void aRunnableTransactionReturnsNothing() {
        TLong x = TLong.of(1);
        TxnRunnable r = () -> x.add(1);
        Stm.atomic(r);
        assertEquals(2, x.get());
        assertNull(Stm.atomic((TxnCallable<Object>) () -> null));
    }
}
