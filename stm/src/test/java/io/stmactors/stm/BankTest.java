package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.stmactors.stm.StmTestSupport.Deadline;
import static io.stmactors.stm.StmTestSupport.Workers;
import static io.stmactors.stm.StmTestSupport.jitter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bank transfers over many accounts with a concurrent read-only auditor.
 *
 * <p>Besides the balances the bank keeps {@code prefix[i] = balance[0] + ... + balance[i]}; a
 * transfer from {@code i} to {@code j} updates the balances and every prefix between them in the
 * same transaction. The auditor reads balance and prefix alternately and checks, after every
 * single read, that its running sum equals the prefix it just read: any inconsistent snapshot,
 * even one in an attempt that would abort, is caught at the read where it appears.
 */
@Tag("stress")
class BankTest {
    private static final int ACCOUNTS = 24;
    private static final long INITIAL = 1_000;

    @Test
    void moneyIsConservedAndNoAuditorEverSeesAWrongPrefixSum() throws Exception {
        TLong[] balance = new TLong[ACCOUNTS];
        TLong[] prefix = new TLong[ACCOUNTS];
        for (int i = 0; i < ACCOUNTS; i++) {
            balance[i] = TLong.named("account-" + i, INITIAL);
            prefix[i] = TLong.of(INITIAL * (i + 1));
        }
        TRef<Long> transfersDone = TRef.of(0L);
        AtomicInteger wrongPrefix = new AtomicInteger();
        AtomicInteger negative = new AtomicInteger();
        AtomicInteger wrongTotal = new AtomicInteger();
        AtomicLong audits = new AtomicLong();
        AtomicLong transfers = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Deadline deadline = new Deadline(2_500);
        Workers workers = new Workers();
        workers.start("teller", 3, t -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int n = 0; n < 300_000 && !deadline.expired(); n++) {
                int from = rnd.nextInt(ACCOUNTS);
                int to = rnd.nextInt(ACCOUNTS - 1);
                if (to >= from) {
                    to++;
                }
                long amount = 1 + rnd.nextInt(50);
                int src = from;
                int dst = to;
                boolean inevitable = (n & 255) == 0;
                boolean moved = Stm.atomic(() -> {
                    if (inevitable) {
                        Stm.inevitable();
                    }
                    long have = balance[src].get();
                    if (have < amount) {
                        return false;
                    }
                    balance[src].set(have - amount);
                    jitter(5, 16);
                    balance[dst].add(amount);
                    // prefix[k] for src <= k < dst loses amount; for dst <= k < src gains it
                    int lo = Math.min(src, dst);
                    int hi = Math.max(src, dst);
                    long delta = src < dst ? -amount : amount;
                    for (int k = lo; k < hi; k++) {
                        prefix[k].add(delta);
                    }
                    transfersDone.set(transfersDone.get() + 1);
                    return true;
                });
                if (moved) {
                    transfers.incrementAndGet();
                }
            }
            stop.set(true);
        });
        workers.start("auditor", 1, a -> {
            while (!stop.get() && !deadline.expired()) {
                Stm.atomic(() -> {
                    long running = 0;
                    for (int i = 0; i < ACCOUNTS; i++) {
                        long b = balance[i].get();
                        if (b < 0) {
                            negative.incrementAndGet();
                        }
                        running += b;
                        jitter(2, 32);
                        long p = prefix[i].get();
                        if (p != running) {
                            wrongPrefix.incrementAndGet();
                        }
                    }
                    if (running != INITIAL * ACCOUNTS) {
                        wrongTotal.incrementAndGet();
                    }
                });
                audits.incrementAndGet();
            }
        });
        workers.joinAll(60_000);
        assertEquals(0, wrongPrefix.get(), "an auditor saw a prefix sum that disagrees with the balances it read");
        assertEquals(0, wrongTotal.get(), "an auditor saw a wrong total");
        assertEquals(0, negative.get(), "an auditor saw a negative balance");
        long total = 0;
        for (int i = 0; i < ACCOUNTS; i++) {
            total += balance[i].get();
            assertEquals(total, prefix[i].get(), "prefix " + i + " after the run");
            assertTrue(balance[i].get() >= 0);
        }
        assertEquals(INITIAL * ACCOUNTS, total, "money was created or destroyed");
        assertEquals(transfers.get(), transfersDone.get(), "a committed transfer was lost or counted twice");
        assertTrue(audits.get() > 0 && transfers.get() > 0);
        System.out.printf("bank: %d transfers, %d audits%n", transfers.get(), audits.get());
    }
}
