package io.stmactors.stm;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's collections example, compiled and checked. */
class ReadmeCollectionsExampleTest {
    @Test
    void collectionsExample() {
        TMap<String, Long> stock = TMap.named("stock");
        TQueue<String> orders = TQueue.bounded(1_000);
        TArray<String> seats = TArray.named("seats", 100);
        stock.put("apple", 2L);
        orders.offer("apple");
        AtomicReference<String> shipped = new AtomicReference<>();
        Stm.atomic("ship", () -> {
            String item = orders.take();
            if (stock.getOrDefault(item, 0L) == 0) {
                Stm.retry();
            }
            stock.merge(item, -1L, Long::sum);
            Stm.afterCommit(() -> shipped.set(item));
        });
        assertEquals("apple", shipped.get());
        assertEquals(1L, stock.get("apple"));

        TransactionQueue tq = new TransactionQueue();
        for (int i = 0; i < 10_000; i++) {
            int seat = i % 100;
            tq.add(() -> seats.set(seat, "taken"));
        }
        RunStats stats = tq.run(4);
        assertEquals(10_000, stats.tasks());
        for (int i = 0; i < 100; i++) {
            assertEquals("taken", seats.get(i));
        }
    }
}
