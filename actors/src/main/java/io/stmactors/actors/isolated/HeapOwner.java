package io.stmactors.actors.isolated;

import io.stmactors.stm.Replication;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TRef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The owner of an isolated-mode system's shared heap, in the coordinator (what a
 * {@code multiprocessing.Manager} is to Python): the canonical value of every shared reference,
 * its version, and which workers hold a replica.
 *
 * <h2>Protocol</h2>
 * A worker's transaction that wrote shared references ships its read versions and written values
 * ({@link Frames.Commit}); the owner checks that every version read is still current and, if so,
 * applies the writes to the canonical references in one local transaction, whose commit assigns new
 * versions and sends {@link Frames.Update}s to the other holders, in commit order, before anything
 * else the commit causes (its messages): a process that receives a message has the state that
 * message was sent from. A worker reading a reference for the first time {@link Frames.Fetch}es it
 * and becomes a holder.
 *
 * <h2>Concurrency</h2>
 * {@link #lock} serializes owner decisions: applying a worker's commit, answering a fetch, and the
 * commit of a coordinator thread's own transaction that writes shared references (through the
 * replication hook). That hook only tries the lock: a transaction holding reference locks must not
 * wait for a thread that may wait for those references; on failure it aborts and re-runs.
 * Versions and holder masks change only under {@link #lock}.
 */
final class HeapOwner implements ReplicationRouter.Side {
    /** Returned by the hook when the owner is busy: the local transaction aborts and re-runs. */
    private static final String BUSY = "heap owner busy";

    /** A canonical reference. */
    static final class Owned {
        final Object ref;
        final RefBinding binding;
        /** Bit i set: worker endpoint i holds a replica. Guarded by the owner lock. */
        long holders;

        Owned(Object ref, RefBinding binding) {
            this.ref = ref;
            this.binding = binding;
        }
    }

    /** Where updates go. */
    interface Outlet {
        /**
         * Sends {@code update} to worker endpoint {@code endpoint} (never blocks indefinitely); false if it
         * was not sent (the worker is dead or restarting).
         */
        boolean sendUpdate(int endpoint, Frames.Update update);

        /** Encodes a value in the coordinator's wire context. */
        byte[] encode(Object value);
    }

    final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, Owned> table = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final Outlet outlet;
    private final ThreadLocal<Integer> excludedHolder = new ThreadLocal<>();
    /** Sequence of owner commits that produced updates; guarded by {@link #lock}. */
    private long ownerSeq;
    /** Per worker endpoint: the sequence of the last update sent to it; guarded by {@link #lock}. */
    private final long[] lastUpdateTo = new long[64];
    /** Per worker endpoint: the highest reference number (id without the worker bits) it published. */
    private final long[] lastPublished = new long[64];
    private volatile boolean closed;

    HeapOwner(Outlet outlet) {
        this.outlet = outlet;
    }

    /** The id of a coordinator-created reference, binding it on first use. */
    long adopt(Object ref) {
        if (Replication.binding(ref) instanceof RefBinding b) {
            return b.id;
        }
        synchronized (ref) {
            if (Replication.binding(ref) instanceof RefBinding b) {
                return b.id;
            }
            long id = nextId.incrementAndGet();
            RefBinding binding = new RefBinding(id, ref instanceof TLong, this, 1, true, true);
            table.put(id, new Owned(ref, binding));
            Replication.bind(ref, binding);
            return id;
        }
    }

    /** The canonical reference with this id, or null. */
    Object lookup(long id) {
        Owned o = table.get(id);
        return o == null ? null : o.ref;
    }

    Owned owned(long id) {
        return table.get(id);
    }

    int size() {
        return table.size();
    }

    /**
     * The sequence of the last update sent to {@code worker}: a reply that says "re-read" must
     * not be acted on before the worker applied updates up to it. Under the lock.
     */
    long lastUpdateTo(int worker) {
        return lastUpdateTo[worker];
    }

    /** The bits of a worker-created reference's id below the worker's endpoint (bits 48 and up). */
    static final long WORKER_REF_NUMBER = (1L << 48) - 1;

    /**
     * The number above which a (re)starting worker numbers its references: above every one it, or an
     * earlier incarnation of it, published. Those it created but never published were never seen outside
     * its process, and died with it.
     */
    long refIdFloor(int worker) {
        lock.lock();
        try {
            return lastPublished[worker];
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers the canonical copy of a reference a worker created; returns null if the id is
     * already known (a worker never re-publishes: the existing value stands). Under the lock.
     */
    Object createFromWorker(long id, boolean isLong, int worker) {
        if (table.containsKey(id) || (id >>> 48) != worker) {
            return null;
        }
        lastPublished[worker] = Math.max(lastPublished[worker], id & WORKER_REF_NUMBER);
        Object ref = isLong ? TLong.of(0) : TRef.of(null);
        RefBinding binding = new RefBinding(id, isLong, this, 1, true, true);
        Replication.bind(ref, binding);
        Owned owned = new Owned(ref, binding);
        owned.holders = 1L << worker;
        table.put(id, owned);
        return ref;
    }

    /** Stores a decoded initial value into a reference created by a worker. Under the lock. */
    void initialize(Object ref, Object value) {
        if (ref instanceof TLong l) {
            Replication.install(l, (Long) value, null);
        } else {
            @SuppressWarnings("unchecked")
            TRef<Object> r = (TRef<Object>) ref;
            Replication.install(r, value, null);
        }
    }

    /**
     * Validates a worker commit's reads. Returns 0 when every version read is current, else the
     * id of a stale (or unknown) reference. Under the lock.
     */
    long staleRead(List<Frames.ReadVersion> reads) {
        for (Frames.ReadVersion r : reads) {
            Owned o = table.get(r.id());
            if (o == null || o.binding.version != r.version()) {
                return r.id();
            }
        }
        return 0;
    }

    /**
     * Applies a validated worker commit's writes to the canonical references, in one local
     * transaction whose commit assigns versions and updates the other holders. Returns the new
     * versions, aligned with {@code ids}. Under the lock.
     */
    long[] applyWrites(int worker, long[] ids, Object[] values) {
        Owned[] targets = new Owned[ids.length];
        for (int i = 0; i < ids.length; i++) {
            targets[i] = table.get(ids[i]);
            if (targets[i] == null) {
                throw new IllegalStateException("commit writes unknown reference #" + Long.toHexString(ids[i]));
            }
        }
        excludedHolder.set(worker);
        try {
            Stm.atomic("heap owner: commit of worker " + worker, () -> {
                for (int i = 0; i < targets.length; i++) {
                    if (targets[i].ref instanceof TLong l) {
                        l.set((Long) values[i]);
                    } else {
                        @SuppressWarnings("unchecked")
                        TRef<Object> r = (TRef<Object>) targets[i].ref;
                        r.set(values[i]);
                    }
                }
            });
        } finally {
            excludedHolder.remove();
        }
        long[] versions = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            targets[i].holders |= 1L << worker;
            versions[i] = targets[i].binding.version;
        }
        return versions;
    }

    /** Current values of {@code ids} for a worker's first read; it becomes a holder. Under the lock. */
    List<Frames.RefValue> fetch(int worker, long[] ids) {
        List<Frames.RefValue> values = new ArrayList<>(ids.length);
        for (long id : ids) {
            Owned o = table.get(id);
            if (o == null) {
                continue;
            }
            Object value = Replication.peek(o.ref);
            o.holders |= 1L << worker;
            values.add(new Frames.RefValue(id, o.binding.isLong, o.binding.version, outlet.encode(value)));
        }
        return values;
    }

    /**
     * A worker died, or its restarted process says hello: it holds nothing, and it was sent no update (the
     * updates its predecessor received died with it; a new process must never wait for one of them). Called
     * again at the hello because frames of the dead process still in the inbox when it died (a fetch, a
     * commit) make it a holder again; at the hello all of them have been handled.
     */
    void forgetHolder(int worker) {
        lock.lock();
        try {
            long mask = ~(1L << worker);
            for (Owned o : table.values()) {
                o.holders &= mask;
            }
            lastUpdateTo[worker] = 0;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        closed = true;
    }

    // -------------------------------------------------------------------------------------
    // ReplicationRouter.Side
    // -------------------------------------------------------------------------------------

    @Override
    public void beforeRead(RefBinding binding) {
        // canonical references always hold their value
    }

    /**
     * The commit of a coordinator transaction (a user thread's, or {@link #applyWrites}') that
     * writes shared references: new versions, and updates to their holders, in commit order.
     */
    @Override
    public Object onCommit(Replication.CommitView commit) {
        if (closed) {
            return null;
        }
        if (!lock.tryLock()) {
            return BUSY;
        }
        try {
            Integer excluded = excludedHolder.get();
            Map<Integer, List<Frames.RefValue>> perHolder = new HashMap<>();
            boolean any = false;
            for (int i = 0, n = commit.writeCount(); i < n; i++) {
                if (!(commit.writeBinding(i) instanceof RefBinding b) || b.side != this) {
                    continue;
                }
                Owned o = table.get(b.id);
                long version = b.version + 1;
                b.version = version;
                any = true;
                long holders = o == null ? 0 : o.holders;
                if (excluded != null) {
                    holders &= ~(1L << excluded);
                }
                if (holders == 0) {
                    continue;
                }
                byte[] bytes = outlet.encode(commit.writeValue(i));
                Frames.RefValue value = new Frames.RefValue(b.id, b.isLong, version, bytes);
                for (int w = 0; w < 64; w++) {
                    if ((holders & (1L << w)) != 0) {
                        perHolder.computeIfAbsent(w, k -> new ArrayList<>()).add(value);
                    }
                }
            }
            if (any) {
                ownerSeq++;
            }
            for (var e : perHolder.entrySet()) {
                if (outlet.sendUpdate(e.getKey(), new Frames.Update(ownerSeq, e.getValue()))) {
                    lastUpdateTo[e.getKey()] = ownerSeq; // only what it will receive: it is made to wait for it
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }
}
