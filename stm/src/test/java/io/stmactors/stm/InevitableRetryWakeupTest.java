package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Regression: a lost wake-up of {@code retry()} in an inevitable transaction (lock-word ABA).
 *
 * <p>An inevitable transaction records, for each reference it reads, the word the reference had
 * before it locked it, without comparing its version with the clock (it needs no snapshot check:
 * nobody can change what it holds). Its {@code retry()} used to release those locks and only then
 * register its waiter and compare every word with the recorded one. With the lazy clock, a thread
 * that committed the reference last and commits it again before the clock moves stamps the very
 * same word: if that second commit fell between the release and the waiter's registration, it
 * found no waiter to wake, the comparison said "unchanged", and the transaction parked although the
 * value it waits for was there. Now the waiter is registered before the locks are released.
 *
 * <p>Here the second commit is a single write that was spinning on the lock the inevitable
 * transaction held, so it lands right after the release; many references read make the window
 * (releasing and registering on all of them) wide. Nothing in the test advances the clock.
 */
class InevitableRetryWakeupTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anInevitableRetryWakesWhenTheLastWriterCommitsAgainRightAfterTheRelease() throws Exception {
        int rounds = 10; // the wake-up was lost in 4 to 7 rounds of 10 before the fix; stop at the first
        int lost = 0;
        StringBuilder detail = new StringBuilder();
        for (int round = 0; round < rounds && lost == 0; round++) {
            int n = 20_000;
            TLong[] xs = new TLong[n];
            for (int i = 0; i < n; i++) {
                xs[i] = TLong.of(0);
            }
            TLong flag = xs[n - 1]; // registered last: the widest window
            CountDownLatch firstWrite = new CountDownLatch(1);
            CountDownLatch readAll = new CountDownLatch(1);
            AtomicInteger attempts = new AtomicInteger();
            long[] words = new long[2]; // the flag's word after each of the writer's commits
            Thread writer = new Thread(() -> {
                flag.set(0);       // the flag's word: (clock + 1, writer's slot)
                words[0] = (long) TVar.LOCK.getVolatile(flag);
                firstWrite.countDown();
                try {
                    readAll.await();
                } catch (InterruptedException e) {
                    return;
                }
                flag.set(1);       // spins on the inevitable lock; same clock: the same word again
                words[1] = (long) TVar.LOCK.getVolatile(flag);
            }, "audit-writer-" + round);
            writer.setDaemon(true);
            writer.start();
            firstWrite.await();
            long[] result = new long[1];
            Thread reader = new Thread(() -> result[0] = Stm.atomic(() -> {
                attempts.incrementAndGet();
                Stm.inevitable();
                long sum = 0;
                for (TLong x : xs) {
                    sum += x.get();
                }
                if (flag.get() == 0) {
                    readAll.countDown();
                    Stm.retry();
                }
                return flag.get();
            }), "audit-inevitable-reader-" + round);
            reader.setDaemon(true);
            reader.start();
            writer.join(10_000);
            reader.join(5_000); // a wake-up takes microseconds; a lost one never comes
            if (reader.isAlive()) {
                lost++;
                if (detail.length() == 0) {
                    detail.append("round ").append(round).append(": flag = ").append(Replication.peek(flag))
                            .append(", reader attempts = ").append(attempts.get())
                            .append(", reader state = ").append(reader.getState())
                            .append(", the writer's two commits left the same word: ").append(words[0] == words[1]);
                }
                flag.set(2); // another thread's word: wakes the reader so that it ends
                reader.join(10_000);
            }
        }
        assertEquals(0, lost, "inevitable retry never woke although the flag it waits for was set ("
                + detail + ")");
    }
}
