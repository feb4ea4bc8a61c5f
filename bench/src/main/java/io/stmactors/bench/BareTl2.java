package io.stmactors.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference floor, not a product: the bare algorithm of our STM (TL2 with invisible reads, a redo
 * log, commit-time locking and the lazy "GV5" version clock, a per-thread descriptor found from the
 * thread id, the same implicit API: {@code atomic(body)} and {@code ref.get()/set()} with no
 * transaction argument) and none of its features: no diagnostics or JFR events, no hooks, no
 * nesting, no {@code retry}/{@code orElse}, no inevitability or escalation, no snapshot extension
 * (a read newer than the snapshot restarts the transaction), no replication bindings, no backoff.
 * It is what the benchmark rows that run it ({@code bareTl2}) compare with, to show how much of our
 * time is the algorithm and how much the features.
 *
 * <p>Lock word of a {@link Ref}: {@code version << 8 | slot << 1 | locked}. Each thread has a slot
 * (1..127); a read of a reference whose last writer was this thread needs no clock advance, as in
 * our engine. Correct for any number of threads (a conflict restarts the body), but only measured
 * on single-thread and disjoint rows.
 */
final class BareTl2 {
    private BareTl2() {
    }

    /** A transactional {@code long}. */
    static final class Ref {
        volatile long lock;
        long value;

        Ref(long initial) {
            value = initial;
        }

        long get() {
            return current().read(this);
        }

        void set(long v) {
            current().write(this, v);
        }
    }

    /** The body of a transaction. */
    interface Body {
        long run();
    }

    private static final VarHandle LOCK;
    private static final VarHandle CLOCK;
    private static volatile long clock;
    private static final AtomicInteger SLOTS = new AtomicInteger();
    private static final Desc[] FAST = new Desc[256];
    private static final ThreadLocal<Desc> CURRENT = ThreadLocal.withInitial(Desc::new);
    private static final RuntimeException CONFLICT = new RuntimeException("conflict", null, false, false) {
    };

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(Ref.class, "lock", long.class);
            CLOCK = MethodHandles.lookup().findStaticVarHandle(BareTl2.class, "clock", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Runs {@code body} as a transaction until it commits; returns its value. */
    static long atomic(Body body) {
        Desc d = current();
        for (;;) {
            d.begin();
            try {
                long result = body.run();
                d.commit();
                return result;
            } catch (RuntimeException e) {
                if (e != CONFLICT) {
                    throw e;
                }
            }
        }
    }

    private static Desc current() {
        Thread t = Thread.currentThread();
        Desc d = FAST[(int) t.getId() & (FAST.length - 1)];
        if (d != null && d.owner == t) {
            return d;
        }
        d = CURRENT.get();
        FAST[(int) t.getId() & (FAST.length - 1)] = d;
        return d;
    }

    private static final class Desc {
        final Thread owner = Thread.currentThread();
        final long slotBits;
        long rv;
        Ref[] readRefs = new Ref[16];
        long[] readWords = new long[16];
        int readSize;
        Ref[] writeRefs = new Ref[16];
        long[] writeValues = new long[16];
        long[] writeOld = new long[16];
        int[] writeReadPos = new int[16];
        int writeSize;

        Desc() {
            int slot = SLOTS.incrementAndGet();
            if (slot > 127) {
                throw new IllegalStateException("BareTl2: more than 127 threads");
            }
            slotBits = (long) slot << 1;
        }

        void begin() {
            readSize = 0;
            writeSize = 0;
            rv = clock;
        }

        long read(Ref r) {
            for (int i = 0; i < writeSize; i++) {
                if (writeRefs[i] == r) {
                    return writeValues[i];
                }
            }
            long w1 = (long) LOCK.getAcquire(r);
            long value = r.value;
            long w2 = (long) LOCK.getAcquire(r);
            if (w1 != w2 || (w1 & 1) != 0) {
                throw CONFLICT;
            }
            if ((w1 >>> 8) > rv && (w1 & 0xFE) != slotBits) {
                advanceClock(w1 >>> 8);
                throw CONFLICT;
            }
            int n = readSize;
            if (n == readRefs.length) {
                readRefs = java.util.Arrays.copyOf(readRefs, n * 2);
                readWords = java.util.Arrays.copyOf(readWords, n * 2);
            }
            readRefs[n] = r;
            readWords[n] = w1;
            readSize = n + 1;
            return value;
        }

        void write(Ref r, long v) {
            for (int i = 0; i < writeSize; i++) {
                if (writeRefs[i] == r) {
                    writeValues[i] = v;
                    return;
                }
            }
            int n = writeSize;
            if (n == writeRefs.length) {
                writeRefs = java.util.Arrays.copyOf(writeRefs, n * 2);
                writeValues = java.util.Arrays.copyOf(writeValues, n * 2);
                writeOld = java.util.Arrays.copyOf(writeOld, n * 2);
                writeReadPos = java.util.Arrays.copyOf(writeReadPos, n * 2);
            }
            int last = readSize - 1;
            writeReadPos[n] = last >= 0 && readRefs[last] == r ? last : -1;
            writeRefs[n] = r;
            writeValues[n] = v;
            writeSize = n + 1;
        }

        void commit() {
            int n = writeSize;
            if (n == 0) {
                return; // read-only: every read was consistent with the snapshot when made
            }
            long covered = 0;
            for (int i = 0; i < n; i++) {
                Ref r = writeRefs[i];
                int rp = writeReadPos[i];
                long w = rp >= 0 ? readWords[rp] : (long) LOCK.getOpaque(r);
                if ((w & 1) != 0 || !LOCK.compareAndSet(r, w, w | 1)) {
                    unlock(i);
                    throw CONFLICT;
                }
                writeOld[i] = w;
                if (rp >= 0 && rp < 64) {
                    covered |= 1L << rp;
                }
            }
            long version = clock + 1;
            for (int i = 0; i < readSize; i++) {
                if (i < 64 && (covered & (1L << i)) != 0) {
                    continue;
                }
                long now = (long) LOCK.getVolatile(readRefs[i]);
                if (now != readWords[i] && !(now == (readWords[i] | 1) && isWritten(readRefs[i]))) {
                    unlock(n);
                    throw CONFLICT;
                }
            }
            long word = version << 8 | slotBits;
            for (int i = 0; i < n; i++) {
                Ref r = writeRefs[i];
                r.value = writeValues[i];
                LOCK.setRelease(r, word);
            }
        }

        private boolean isWritten(Ref r) {
            for (int i = 0; i < writeSize; i++) {
                if (writeRefs[i] == r) {
                    return true;
                }
            }
            return false;
        }

        private void unlock(int count) {
            for (int i = 0; i < count; i++) {
                LOCK.setRelease(writeRefs[i], writeOld[i]);
            }
        }
    }

    private static void advanceClock(long version) {
        long c = clock;
        while (c < version && !CLOCK.compareAndSet(c, version)) {
            c = clock;
        }
    }
}
