package io.stmactors.actors.isolated;

import io.stmactors.stm.Replication;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TRef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    /**
     * The canonical reference with this id, or null; on the thread checking a commit (it holds the lock),
     * also the references that commit publishes, so that its values may refer to them.
     */
    Object lookup(long id) {
        Owned o = table.get(id);
        if (o == null && lock.isHeldByCurrentThread() && !pending.isEmpty()) {
            o = pending.get(id);
        }
        return o == null ? null : o.ref;
    }

    /**
     * The coordinator's side of decoding a reference: the canonical reference with this id, of this kind;
     * an unknown id, or a counter named as a reference (or the reverse), is malformed input.
     */
    Object resolve(long id, boolean isLong) {
        Object ref = lookup(id);
        if (ref == null || (ref instanceof TLong) != isLong) {
            throw new com.esotericsoftware.kryo.KryoException("Malformed reference id #" + Long.toHexString(id));
        }
        return ref;
    }

    Owned owned(long id) {
        return table.get(id);
    }

    int size() {
        return table.size();
    }

    /** The ids of the references in the table (tests, diagnostics). */
    List<Long> ids() {
        return new ArrayList<>(table.keySet());
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

    /** The owner's decision on a worker's commit. */
    enum Decision {
        /** Applied: new versions for the written references. */
        APPLIED,
        /**
         * A reference read has a newer version, or a reference published as new is already known: the worker
         * re-runs the transaction (nothing applied).
         */
        CONFLICT,
        /** Malformed or impossible (the worker must not re-run it): nothing applied. */
        REFUSED
    }

    /**
     * What {@link #commit} decided: for {@link Decision#APPLIED} the written ids and their new versions; for
     * {@link Decision#CONFLICT} the id of a stale read, or of a reference published again; for
     * {@link Decision#REFUSED} why.
     */
    record Verdict(Decision decision, long[] writtenIds, long[] versions, long conflictId, String refusal) {
        static Verdict conflict(long id) {
            return new Verdict(Decision.CONFLICT, null, null, id, null);
        }

        static Verdict refused(String why) {
            return new Verdict(Decision.REFUSED, null, null, 0, why);
        }
    }

    /** Decodes a nested value ({@link Boxed}) in the coordinator's wire context. */
    interface ValueDecoder {
        Object decode(byte[] bytes);
    }

    /** New references of the commit being checked, visible to {@link #lookup} on the checking thread only. */
    private Map<Long, Owned> pending = Map.of();

    /**
     * Checks a worker's commit completely, then applies its part of the shared heap (the references it
     * publishes, its writes) in one step; on a conflict or a refusal nothing changes. Checked: every read
     * names a known reference at its current version (else a conflict, or a refusal for an unknown one);
     * an asynchronous commit reads and writes nothing; every published reference carries an id of this
     * worker, once, and is new (two threads of a worker may both ship a reference it created as new: a
     * synchronous commit that publishes one the owner already has is a conflict on it, since its value, which
     * it may have written, was computed without the owner's; an asynchronous one leaves the owner's value as it
     * is); every written reference is known; every value decodes, and a counter's value is a {@code Long}.
     * Under the lock.
     */
    Verdict commit(int worker, Frames.Commit c, ValueDecoder decoder) {
        if (c.reads() == null || c.writes() == null || c.newRefs() == null) {
            return Verdict.refused("malformed commit: a missing list");
        }
        if (!c.sync() && (!c.reads().isEmpty() || !c.writes().isEmpty())) {
            return Verdict.refused("an asynchronous commit that reads or writes shared references");
        }
        if (closed && (!c.reads().isEmpty() || !c.writes().isEmpty())) {
            // A closed owner raises no version and updates no holder: accepting would let two workers that read
            // the same version both commit (a lost update).
            return Verdict.refused("the heap owner is closed (the system is closing)");
        }
        for (Frames.ReadVersion r : c.reads()) {
            Owned o = r == null ? null : table.get(r.id());
            if (o == null) {
                return Verdict.refused("it read " + (r == null ? "a missing entry" : "reference #"
                        + Long.toHexString(r.id())) + ", unknown to the heap owner");
            }
            if (o.binding.version != r.version()) {
                return Verdict.conflict(r.id());
            }
        }
        Map<Long, Owned> fresh = new LinkedHashMap<>();
        for (Frames.RefValue nr : c.newRefs()) {
            if (nr == null || (nr.id() >>> 48) != worker || (nr.id() & WORKER_REF_NUMBER) == 0) {
                return Verdict.refused("it published " + (nr == null ? "a missing entry" : "reference #"
                        + Long.toHexString(nr.id())) + ", which worker " + worker + " cannot have created");
            }
            if (fresh.containsKey(nr.id())) {
                return Verdict.refused("it published reference #" + Long.toHexString(nr.id()) + " twice");
            }
            if (table.containsKey(nr.id())) {
                // Published before, by an earlier commit of this worker whose verdict its process had not yet
                // recorded when this one was shipped. This commit's value is either one it wrote, computed without
                // the owner's value (the owner must neither drop it nor take it blindly over what was committed
                // since), or the local value it saw, possibly older than the owner's: a synchronous commit re-runs
                // against the owner's value (I11). An asynchronous one wrote no shared reference: its value is a
                // snapshot of what the owner already has, or of an older state; nothing to apply.
                if (c.sync()) {
                    return Verdict.conflict(nr.id());
                }
            } else {
                Object ref = nr.isLong() ? TLong.of(0) : TRef.of(null);
                RefBinding binding = new RefBinding(nr.id(), nr.isLong(), this, 1, true, true);
                Replication.bind(ref, binding);
                fresh.put(nr.id(), new Owned(ref, binding));
            }
        }
        Object[] freshValues = new Object[c.newRefs().size()];
        Owned[] targets = new Owned[c.writes().size()];
        Object[] values = new Object[targets.length];
        pending = fresh;
        try {
            for (int i = 0; i < freshValues.length; i++) {
                Frames.RefValue nr = c.newRefs().get(i);
                Owned o = fresh.get(nr.id());
                if (o != null) {
                    Object value = decode(decoder, nr.value(), nr.id());
                    if (value instanceof Refusal bad) {
                        return Verdict.refused(bad.why());
                    }
                    if (o.ref instanceof TLong && !(value instanceof Long)) {
                        return Verdict.refused("it published counter #" + Long.toHexString(nr.id()) + " with "
                                + describe(value));
                    }
                    freshValues[i] = value;
                }
            }
            for (int i = 0; i < targets.length; i++) {
                Frames.RefValue w = c.writes().get(i);
                targets[i] = w == null ? null : table.get(w.id());
                if (targets[i] == null) {
                    return Verdict.refused("it wrote " + (w == null ? "a missing entry" : "reference #"
                            + Long.toHexString(w.id())) + ", unknown to the heap owner");
                }
                Object value = decode(decoder, w.value(), w.id());
                if (value instanceof Refusal bad) {
                    return Verdict.refused(bad.why());
                }
                if (targets[i].ref instanceof TLong && !(value instanceof Long)) {
                    return Verdict.refused("it wrote " + describe(value) + " into counter #" + Long.toHexString(w.id()));
                }
                values[i] = value;
            }
        } finally {
            pending = Map.of();
        }
        // Everything checked: apply.
        for (int i = 0; i < freshValues.length; i++) {
            Owned o = fresh.remove(c.newRefs().get(i).id());
            if (o != null) {
                o.holders = 1L << worker;
                table.put(o.binding.id, o);
                lastPublished[worker] = Math.max(lastPublished[worker], o.binding.id & WORKER_REF_NUMBER);
                initialize(o.ref, freshValues[i]);
            }
        }
        long[] ids = new long[targets.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = targets[i].binding.id;
        }
        long[] versions = targets.length == 0 ? new long[0] : applyWrites(worker, targets, values);
        return new Verdict(Decision.APPLIED, ids, versions, 0, null);
    }

    /** Why a value could not be decoded (a refusal, as a value, so the caller returns it). */
    private record Refusal(String why) {
    }

    private static Object decode(ValueDecoder decoder, byte[] bytes, long id) {
        try {
            return decoder.decode(bytes);
        } catch (RuntimeException e) {
            return new Refusal("the value of reference #" + Long.toHexString(id) + " cannot be decoded: " + e.getMessage());
        }
    }

    private static String describe(Object value) {
        return value == null ? "null" : "a " + value.getClass().getName();
    }

    /** Stores a decoded initial value into a reference created by a worker. Under the lock. */
    private static void initialize(Object ref, Object value) {
        Replication.installValue(ref, value, null);
    }

    /**
     * Applies a checked worker commit's writes to the canonical references, in one local transaction
     * whose commit assigns versions and updates the other holders. Returns the new versions, aligned
     * with {@code targets}. Under the lock.
     */
    private long[] applyWrites(int worker, Owned[] targets, Object[] values) {
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
        long[] versions = new long[targets.length];
        for (int i = 0; i < targets.length; i++) {
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

    /**
     * From now on, worker commits that read or write shared references are refused, and a coordinator
     * transaction's commit neither raises versions nor sends updates. Called once the workers have stopped:
     * until then their commits need versions and updates. Under the lock, so a commit being checked is decided
     * before.
     */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
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
