package io.stmactors.actors.isolated;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.stm.Replication;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TRef;
import io.stmactors.transport.CodecException;
import io.stmactors.transport.KryoCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes what the isolated mode reads from other processes.
 * <ul>
 *     <li>{@link #frames}: a frame as the coordinator or a worker decodes it ({@link Wire#codec} with the runtime
 *     registrations and a user's), random bytes or a valid frame built from the fuzzer's choices and then damaged;
 *     then every value nested in it ({@link Boxed} payloads: messages, behaviors, states, reference values), in
 *     the coordinator's wire context (references resolve through a {@link HeapOwner}) or a worker's (a
 *     {@link WorkerRuntime}, whose references are replicas). Contract: a frame or a {@link CodecException}, at
 *     every level; nothing else thrown, no {@code OutOfMemoryError}, no hang; what decodes encodes again.</li>
 *     <li>{@link #ownerCommits}: forged commits ({@link Frames.Commit}) given to the heap owner's check
 *     ({@link HeapOwner#commit}): unknown ids, ids of another worker, id 0, stale and future versions, values
 *     of the wrong kind or that do not decode, references to the commit's own new references, absurd sizes.
 *     Contract: applied, a conflict or a refusal, nothing else; a conflict or a refusal changes nothing in the
 *     owner (ids, versions, holders, values), and a conflict names a stale read or, in a synchronous commit, a
 *     reference published as new that the owner already had; an applied commit read only current versions, wrote only known
 *     references, each written once more; a commit made only of well-formed parts is never refused.</li>
 * </ul>
 * Inputs the fuzzer found are kept in {@code src/test/resources/io/stmactors/actors/isolated/IsolatedWireFuzzTestInputs}
 * and replayed by every ordinary test run.
 */
@Tag("fuzz")
class IsolatedWireFuzzTest {
    // ---- a user's registered types: scalars, references, actor addresses
    record Note(String text, int n) {
    }

    record Holder(TRef<Object> ref, TLong count, ActorRef<Object> to, List<Object> items) {
    }

    static final List<Class<?>> USER = ActorSystemConfig.builder().register(Note.class, Holder.class).build()
            .registeredClasses();
    static final KryoCodec CODEC = Wire.codec(USER);

    // ---- the coordinator's side: an owner with a few references
    static final HeapOwner COORDINATOR_OWNER = new HeapOwner(new NoOutlet());
    static final List<Object> COORDINATOR_REFS = new ArrayList<>();
    static final WireContext COORDINATOR = new OwnerContext(COORDINATOR_OWNER);

    // ---- a worker's side
    static final WorkerRuntime WORKER = new WorkerRuntime(1, new SilentCoordinator());

    static {
        ReplicationRouter.ensureInstalled();
        COORDINATOR_REFS.addAll(List.of(TLong.of(7), TRef.of("seven"), TLong.of(0), TRef.of(null)));
        for (Object ref : COORDINATOR_REFS) {
            COORDINATOR_OWNER.adopt(ref); // ids 1..4
        }
    }

    static final AtomicLong FRAMES = new AtomicLong();
    static final AtomicLong FRAMES_DECODED = new AtomicLong();
    static final AtomicLong VALUES_DECODED = new AtomicLong();
    static final AtomicLong REJECTED = new AtomicLong();
    static final AtomicLong OWNER_RUNS = new AtomicLong();
    static final AtomicLong COMMITS = new AtomicLong();
    static final Map<HeapOwner.Decision, AtomicLong> DECISIONS = new java.util.EnumMap<>(HeapOwner.Decision.class);

    static {
        for (HeapOwner.Decision d : HeapOwner.Decision.values()) {
            DECISIONS.put(d, new AtomicLong());
        }
    }

    @AfterAll
    static void printFigures() {
        System.out.printf("RELIABILITY fuzz target=IsolatedWireFuzzTest frames=%d framesDecoded=%d valuesDecoded=%d "
                        + "rejected=%d ownerRuns=%d commits=%d applied=%d conflicts=%d refused=%d%n", FRAMES.get(),
                FRAMES_DECODED.get(), VALUES_DECODED.get(), REJECTED.get(), OWNER_RUNS.get(), COMMITS.get(),
                DECISIONS.get(HeapOwner.Decision.APPLIED).get(), DECISIONS.get(HeapOwner.Decision.CONFLICT).get(),
                DECISIONS.get(HeapOwner.Decision.REFUSED).get());
    }

    // =====================================================================================
    // Frames
    // =====================================================================================

    @FuzzTest(maxDuration = "30m")
    void frames(FuzzedDataProvider data) {
        boolean atCoordinator = data.consumeBoolean();
        WireContext context = atCoordinator ? COORDINATOR : WORKER;
        byte[] bytes;
        if (data.consumeBoolean()) {
            bytes = damage(data, Wire.with(context, () -> CODEC.encode(frame(data, atCoordinator))));
        } else {
            bytes = data.consumeRemainingAsBytes();
        }
        FRAMES.incrementAndGet();
        Object frame = decode(context, bytes);
        if (frame == null) {
            return;
        }
        FRAMES_DECODED.incrementAndGet();
        for (byte[] nested : nested(frame)) {
            if (nested != null) {
                Object value = decode(context, nested);
                if (value != null) {
                    try {
                        Wire.unbox(value);
                        VALUES_DECODED.incrementAndGet();
                    } catch (CodecException notBoxed) {
                        REJECTED.incrementAndGet();
                    }
                }
            }
        }
    }

    /** The decoded object, or null after a {@link CodecException}; anything else fails the test. */
    static Object decode(WireContext context, byte[] bytes) {
        Object decoded;
        try {
            decoded = Frames.checked(Wire.with(context, () -> CODEC.decode(Wire.present(bytes))));
        } catch (CodecException expected) {
            REJECTED.incrementAndGet();
            return null;
        } catch (Throwable other) {
            fail("decode threw " + other + " instead of a CodecException", other);
            return null;
        }
        assertNotNull(decoded);
        try {
            Wire.with(context, () -> CODEC.encode(decoded));
        } catch (RuntimeException reencode) {
            fail("a decoded " + decoded.getClass().getName() + " cannot be encoded again: " + reencode, reencode);
        }
        return decoded;
    }

    /** The payloads a frame carries as nested encoded values. */
    static List<byte[]> nested(Object frame) {
        List<byte[]> out = new ArrayList<>();
        if (frame instanceof Frames.Tell t) {
            out.add(t.message());
        } else if (frame instanceof Frames.Reply r) {
            out.add(r.message());
        } else if (frame instanceof Frames.Spawn s) {
            out.addAll(Arrays.asList(s.behavior(), s.restoredBehavior(), s.restoredState()));
        } else if (frame instanceof Frames.Commit c) {
            refValues(c.writes(), out);
            refValues(c.newRefs(), out);
            for (Frames.Outgoing o : c.sends() == null ? List.<Frames.Outgoing>of() : c.sends()) {
                out.add(o == null ? null : o.message());
            }
            for (Frames.ActorState a : c.actors() == null ? List.<Frames.ActorState>of() : c.actors()) {
                if (a != null) {
                    out.add(a.behavior());
                    out.add(a.state());
                }
            }
            for (Frames.ChildSpawned s : c.spawns() == null ? List.<Frames.ChildSpawned>of() : c.spawns()) {
                out.add(s == null ? null : s.behavior());
            }
            for (Frames.Watch w : c.watches() == null ? List.<Frames.Watch>of() : c.watches()) {
                out.add(w == null ? null : w.message());
            }
        } else if (frame instanceof Frames.Fetched f) {
            refValues(f.values(), out);
        } else if (frame instanceof Frames.Update u) {
            refValues(u.values(), out);
        }
        return out;
    }

    private static void refValues(List<Frames.RefValue> values, List<byte[]> out) {
        for (Frames.RefValue v : values == null ? List.<Frames.RefValue>of() : values) {
            out.add(v == null ? null : v.value());
        }
    }

    /** A valid frame of the kind its receiver gets, shaped by the fuzzer. */
    static Object frame(FuzzedDataProvider data, boolean toCoordinator) {
        if (toCoordinator) {
            return switch (data.consumeInt(0, 4)) {
                case 0 -> new Frames.Commit(data.consumeLong(), data.consumeBoolean(), data.consumeString(12),
                        List.of(new Frames.ReadVersion(data.consumeLong(1, 6), data.consumeLong(0, 3))),
                        List.of(refValue(data, true)), List.of(refValue(data, true)),
                        List.of(new Frames.Outgoing(data.consumeBoolean() ? null : "a", 0, data.consumeLong(),
                                boxed(data, true))),
                        List.of(new Frames.ActorState("a", null, boxed(data, true), true)),
                        List.of(new Frames.ChildSpawned("a/b", behavior(data, true))),
                        List.of(new Frames.Watch("a", "b", null)));
                case 1 -> new Frames.Fetch(data.consumeLong(), new long[] {data.consumeLong(1, 6), data.consumeLong()});
                case 2 -> new Frames.Stopped(data.consumeString(16));
                case 3 -> new Frames.Status(data.consumeLong(), data.consumeBoolean(), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
                default -> new Frames.Hello(data.consumeInt(), data.consumeLong(), data.consumeLong());
            };
        }
        return switch (data.consumeInt(0, 5)) {
            case 0 -> new Frames.Tell(data.consumeString(12), boxed(data, false));
            case 1 -> new Frames.Spawn(data.consumeString(12), behavior(data, false),
                    data.consumeBoolean() ? behavior(data, false) : null, boxed(data, false), data.consumeBoolean());
            case 2 -> new Frames.Update(data.consumeLong(), List.of(refValue(data, false), refValue(data, false)));
            case 3 -> new Frames.Fetched(data.consumeLong(), List.of(refValue(data, false)), data.consumeLong());
            case 4 -> new Frames.CommitResult(data.consumeLong(), data.consumeBoolean(), new long[] {1, 2},
                    new long[] {3}, data.consumeLong(), data.consumeLong(), data.consumeBoolean() ? null : "no");
            default -> new Frames.Reply(data.consumeLong(), boxed(data, false));
        };
    }

    static Frames.RefValue refValue(FuzzedDataProvider data, boolean toCoordinator) {
        return new Frames.RefValue(data.consumeLong(1, 6), data.consumeBoolean(), data.consumeLong(),
                boxed(data, toCoordinator));
    }

    /** A nested value, encoded in the sender's context. */
    static byte[] boxed(FuzzedDataProvider data, boolean toCoordinator) {
        Object value = switch (data.consumeInt(0, 5)) {
            case 0 -> data.consumeLong();
            case 1 -> new Note(data.consumeString(16), data.consumeInt());
            case 2 -> new Holder(null, null, null, List.of(data.consumeString(8), data.consumeInt()));
            case 3 -> List.of(new Note("x", 1), new HashMap<>(Map.of(data.consumeString(4), data.consumeLong())));
            case 4 -> null;
            default -> data.consumeString(32);
        };
        WireContext sender = toCoordinator ? WORKER : COORDINATOR;
        return Wire.with(sender, () -> CODEC.encode(new Boxed(value)));
    }

    static byte[] behavior(FuzzedDataProvider data, boolean toCoordinator) {
        int n = data.consumeInt(0, 100);
        Behavior<Note> b = Behaviors.withState(n, (ctx, state, note) -> state + note.n());
        WireContext sender = toCoordinator ? WORKER : COORDINATOR;
        return Wire.with(sender, () -> CODEC.encode(new Boxed(b)));
    }

    /** Bytes overwritten, inserted, cut (as KryoCodecFuzzTest does). */
    static byte[] damage(FuzzedDataProvider data, byte[] valid) {
        byte[] bytes = valid;
        for (int edits = data.consumeInt(0, 4); edits > 0 && data.remainingBytes() > 0; edits--) {
            int at = data.consumeInt(0, Math.max(0, bytes.length - 1));
            switch (data.consumeInt(0, 2)) {
                case 0 -> {
                    if (bytes.length > 0) {
                        bytes = bytes.clone();
                        bytes[at] = data.consumeByte();
                    }
                }
                case 1 -> {
                    byte[] inserted = data.consumeBytes(data.consumeInt(1, 8));
                    byte[] grown = new byte[bytes.length + inserted.length];
                    System.arraycopy(bytes, 0, grown, 0, at);
                    System.arraycopy(inserted, 0, grown, at, inserted.length);
                    System.arraycopy(bytes, at, grown, at + inserted.length, bytes.length - at);
                    bytes = grown;
                }
                default -> bytes = Arrays.copyOf(bytes, at);
            }
        }
        return bytes;
    }

    // =====================================================================================
    // The heap owner's commit check
    // =====================================================================================

    @FuzzTest(maxDuration = "30m")
    void ownerCommits(FuzzedDataProvider data) {
        OWNER_RUNS.incrementAndGet();
        HeapOwner owner = new HeapOwner(new NoOutlet());
        OwnerContext context = new OwnerContext(owner);
        List<Object> refs = List.of(TLong.of(10), TRef.of("ten"), TLong.of(20), TRef.of(new Note("n", 1)));
        for (Object ref : refs) {
            owner.adopt(ref); // ids 1..4, version 1
        }
        for (int commit = data.consumeInt(1, 4); commit > 0 && data.remainingBytes() > 0; commit--) {
            ForgedCommit forged = forge(data, owner);
            Map<Long, Snapshot> before = snapshot(owner);
            HeapOwner.Verdict verdict;
            owner.lock.lock();
            try {
                verdict = owner.commit(forged.worker, forged.commit, bytes -> context.decodeValue(bytes));
            } catch (Throwable t) {
                fail("the owner's check threw " + t + " for " + forged.commit, t);
                return;
            } finally {
                owner.lock.unlock();
            }
            COMMITS.incrementAndGet();
            DECISIONS.get(verdict.decision()).incrementAndGet();
            Map<Long, Snapshot> after = snapshot(owner);
            if (verdict.decision() != HeapOwner.Decision.APPLIED) {
                assertEquals(before, after, verdict.decision() + " (" + verdict.refusal() + ") changed the owner");
                if (verdict.decision() == HeapOwner.Decision.REFUSED) {
                    assertTrue(forged.malformed, "a well-formed commit was refused: " + verdict.refusal() + "; worker " + forged.worker + ", " + forged.commit + ", new refs " + forged.commit.newRefs().stream().map(n -> Long.toHexString(n.id()) + "/" + n.isLong() + "/" + (n.value() == null ? "null" : n.value().length)).toList() + ", owner " + owner.ids());
                } else {
                    Snapshot stale = before.get(verdict.conflictId());
                    boolean staleRead = stale != null && forged.commit.reads().stream()
                            .anyMatch(r -> r.id() == verdict.conflictId() && r.version() != stale.version);
                    boolean publishedAgain = stale != null && forged.commit.sync() && forged.commit.newRefs().stream()
                            .anyMatch(n -> n != null && n.id() == verdict.conflictId()); // I11
                    assertTrue(staleRead || publishedAgain,
                            "a conflict on a read that was current, or on a reference that was new");
                }
                continue;
            }
            checkApplied(forged, before, after, verdict);
        }
    }

    private static void checkApplied(ForgedCommit forged, Map<Long, Snapshot> before, Map<Long, Snapshot> after,
                                     HeapOwner.Verdict verdict) {
        Frames.Commit c = forged.commit;
        for (Frames.ReadVersion r : c.reads()) {
            assertEquals(before.get(r.id()).version, r.version(), "applied with a stale read of #" + r.id());
        }
        java.util.Set<Long> written = new java.util.HashSet<>();
        for (Frames.RefValue w : c.writes()) {
            assertTrue(before.containsKey(w.id()), "applied a write to unknown #" + w.id());
            written.add(w.id());
        }
        assertEquals(c.writes().size(), verdict.versions().length);
        for (Map.Entry<Long, Snapshot> e : after.entrySet()) {
            Snapshot old = before.get(e.getKey());
            if (old == null) {
                assertEquals(forged.worker, e.getKey() >>> 48, "a new reference of another worker: #" + e.getKey());
                assertTrue(c.newRefs().stream().anyMatch(n -> n.id() == e.getKey()), "a reference from nowhere");
            } else if (written.contains(e.getKey())) {
                assertEquals(old.version + 1, e.getValue().version, "one new version per written reference");
            } else {
                assertEquals(old.version, e.getValue().version, "a version moved without a write: #" + e.getKey());
                assertTrue(Objects.equals(old.value, e.getValue().value) || old.value == e.getValue().value,
                        "a value changed without a write: #" + e.getKey());
            }
        }
        assertTrue(after.keySet().containsAll(before.keySet()), "a reference disappeared");
    }

    /** One reference as the owner holds it. */
    record Snapshot(long version, long holders, Object value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && s.version == version && s.holders == holders
                    && (Objects.equals(s.value, value) || s.value == value);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(version);
        }
    }

    static Map<Long, Snapshot> snapshot(HeapOwner owner) {
        Map<Long, Snapshot> out = new HashMap<>();
        for (long id : owner.ids()) {
            HeapOwner.Owned o = owner.owned(id);
            Object value = Replication.peek(o.ref);
            out.put(id, new Snapshot(o.binding.version, o.holders, value));
        }
        return out;
    }

    record ForgedCommit(int worker, Frames.Commit commit, boolean malformed) {
    }

    /**
     * A commit from the fuzzer's choices: ids known or not, of this worker or another, versions current or
     * not, values of the right kind or not; {@code malformed} tells whether any part is one the owner must
     * refuse (a stale version is not: that is a conflict).
     */
    static ForgedCommit forge(FuzzedDataProvider data, HeapOwner owner) {
        int worker = data.consumeInt(1, 3);
        boolean[] malformed = {false};
        ForgingContext forger = new ForgingContext();
        List<Long> known = owner.ids();
        int size = data.consumeInt(0, 10) == 10 ? 2_000 : data.consumeInt(0, 4); // now and then an absurd size
        List<Frames.ReadVersion> reads = new ArrayList<>();
        List<Frames.RefValue> writes = new ArrayList<>();
        List<Frames.RefValue> newRefs = new ArrayList<>();
        boolean sync = data.consumeInt(0, 5) != 0;
        // new references first: values may refer to them
        for (int i = data.consumeInt(0, 3); i > 0; i--) {
            long id;
            switch (data.consumeInt(0, 5)) {
                case 0 -> {
                    id = ((long) (worker % 3 + 1) << 48) | data.consumeLong(1, 50); // another worker's
                    malformed[0] = true;
                }
                case 1 -> {
                    id = data.consumeBoolean() ? 0 : (long) worker << 48; // no reference number
                    malformed[0] = true;
                }
                case 2 -> id = known.isEmpty() ? ((long) worker << 48) | 1 : known.get(data.consumeInt(0, known.size() - 1));
                default -> id = ((long) worker << 48) | data.consumeLong(1, 50);
            }
            if ((id >>> 48) != worker || (id & HeapOwner.WORKER_REF_NUMBER) == 0) {
                malformed[0] = true;
            }
            boolean isLong = data.consumeBoolean();
            Owned existing = owned(owner, id);
            boolean twice = newRefs.stream().anyMatch(n -> n.id() == id);
            if (twice) {
                malformed[0] = true; // published twice in one commit
            }
            boolean fresh = existing == null && !twice;
            byte[] value = value(data, forger, owner, newRefs, isLong, fresh, malformed);
            newRefs.add(new Frames.RefValue(id, isLong, 0, value));
        }
        for (int i = 0; i < size && data.remainingBytes() > 0; i++) {
            if (!sync) {
                malformed[0] = true;
            }
            long id = id(data, known, malformed);
            long version = switch (data.consumeInt(0, 3)) {
                case 0 -> data.consumeLong();
                case 1 -> owned(owner, id) == null ? 1 : owned(owner, id).binding.version + 1;
                default -> owned(owner, id) == null ? 1 : owned(owner, id).binding.version;
            };
            reads.add(new Frames.ReadVersion(id, version));
            if (data.consumeBoolean()) {
                long target = data.consumeBoolean() ? id : id(data, known, malformed);
                Owned o = owned(owner, target);
                writes.add(new Frames.RefValue(target, data.consumeBoolean(), 0,
                        value(data, forger, owner, newRefs, o != null && o.ref instanceof TLong, true, malformed)));
            }
        }
        Frames.Commit commit = new Frames.Commit(data.consumeLong(), sync, "forged", reads, writes, newRefs,
                List.of(), List.of(), List.of(), List.of());
        return new ForgedCommit(worker, commit, malformed[0]);
    }

    private static Owned owned(HeapOwner owner, long id) {
        HeapOwner.Owned o = owner.owned(id);
        return o == null ? null : new Owned(o.ref, o.binding);
    }

    private record Owned(Object ref, RefBinding binding) {
    }

    private static long id(FuzzedDataProvider data, List<Long> known, boolean[] malformed) {
        if (known.isEmpty() || data.consumeInt(0, 4) == 0) {
            malformed[0] = true;
            return switch (data.consumeInt(0, 2)) {
                case 0 -> 0;
                case 1 -> -data.consumeLong(1, Long.MAX_VALUE);
                default -> data.consumeLong(100, Long.MAX_VALUE);
            };
        }
        return known.get(data.consumeInt(0, known.size() - 1));
    }

    /** An encoded value: a counter's (a Long), a reference's, or one the owner must refuse. */
    private static byte[] value(FuzzedDataProvider data, ForgingContext forger, HeapOwner owner,
                                List<Frames.RefValue> newRefs, boolean counter, boolean checked, boolean[] malformed) {
        int kind = data.consumeInt(0, 7);
        Object value;
        switch (kind) {
            case 0 -> {
                byte[] garbage = data.consumeBytes(data.consumeInt(0, 24));
                if (checked) {
                    malformed[0] = true; // most do not decode; those that do are likely the wrong kind
                }
                return garbage;
            }
            case 1 -> {
                if (checked) {
                    malformed[0] = true;
                }
                return null;
            }
            case 2 -> value = data.consumeString(16);
            case 3 -> value = null;
            case 4 -> {
                // a reference: known, one of this commit's new ones, or unknown
                List<Long> ids = new ArrayList<>(owner.ids());
                newRefs.forEach(n -> ids.add(n.id()));
                long id = ids.isEmpty() || data.consumeBoolean() && data.consumeBoolean() ? data.consumeLong(1, 1 << 20)
                        : ids.get(data.consumeInt(0, ids.size() - 1));
                boolean isLong = data.consumeBoolean();
                Object ref = forger.standIn(id, isLong);
                HeapOwner.Owned o = owner.owned(id);
                boolean resolves = o != null ? (o.ref instanceof TLong) == isLong
                        : newRefs.stream().anyMatch(n -> n.id() == id && n.isLong() == isLong
                        && (id >>> 48) != 0 && owner.owned(id) == null);
                if (checked && !resolves) {
                    malformed[0] = true;
                }
                value = new Holder(isLong ? null : castRef(ref), isLong ? (TLong) ref : null, null, List.of());
            }
            default -> value = data.consumeLong();
        }
        if (checked && counter && !(value instanceof Long)) {
            malformed[0] = true;
        }
        Object boxed = value;
        return Wire.with(forger, () -> CODEC.encode(new Boxed(boxed)));
    }

    @SuppressWarnings("unchecked")
    private static TRef<Object> castRef(Object ref) {
        return (TRef<Object>) ref;
    }

    // =====================================================================================
    // Contexts
    // =====================================================================================

    /** The coordinator's wire context, as {@link IsolatedActorSystem} is one, over a bare owner. */
    static final class OwnerContext extends OwnerWireContext {
        private final HeapOwner owner;

        OwnerContext(HeapOwner owner) {
            this.owner = owner;
        }

        @Override
        HeapOwner owner() {
            return owner;
        }

        Object decodeValue(byte[] bytes) {
            return Wire.unbox(Wire.with(this, () -> CODEC.decode(Wire.present(bytes))));
        }
    }

    /** Writes any reference as any id: stand-ins (unbound references) mapped to the ids the fuzzer chose. */
    static final class ForgingContext implements WireContext {
        private final Map<Object, Long> ids = new IdentityHashMap<>();

        Object standIn(long id, boolean isLong) {
            Object stand = isLong ? TLong.of(0) : TRef.of(null);
            ids.put(stand, id);
            return stand;
        }

        @Override
        public int endpoint() {
            return 1;
        }

        @Override
        public long refId(Object ref) {
            Long id = ids.get(ref);
            if (id == null) {
                throw new IllegalStateException("not a stand-in: " + ref);
            }
            return id;
        }

        @Override
        public Object ref(long id, boolean isLong) {
            throw new UnsupportedOperationException("the forger only writes");
        }

        @Override
        public ActorRef<?> actor(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long promiseId(io.stmactors.actors.internal.PromiseRef<?> promise) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ActorRef<?> reply(int endpoint, long askId) {
            throw new UnsupportedOperationException();
        }
    }

    /** Updates go nowhere; values are encoded in no particular context (the owner encodes only for updates). */
    static final class NoOutlet implements HeapOwner.Outlet {
        @Override
        public boolean sendUpdate(int endpoint, Frames.Update update) {
            return false;
        }

        @Override
        public byte[] encode(Object value) {
            return new byte[0];
        }
    }
}
