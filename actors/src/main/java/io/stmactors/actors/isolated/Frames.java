package io.stmactors.actors.isolated;

import io.stmactors.transport.CodecException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages coordinator and workers exchange, one per transport frame, Kryo-encoded. Payloads
 * that the coordinator only forwards (user messages, actor states) are nested byte arrays, so a
 * message that fails to decode affects that message only.
 *
 * <pre>
 *   worker  --Hello--------------------------------------------&gt; coordinator
 *   coord.  --Spawn / Tell / StopActor / Shutdown / StatusRequest-&gt; worker
 *   worker  --Commit (sync: waits for CommitResult; async: not)--&gt; coordinator (heap owner)
 *   worker  --Fetch------&gt; coordinator --Fetched--&gt; worker          (first read of a reference)
 *   coord.  --Update------------------------------------------&gt; workers holding a replica
 *   worker  --Stopped / Status (asked, or the final one)-------&gt; coordinator
 *   worker  --CloseRequest (user code there called close())-----&gt; coordinator
 *   coord.  --AsksFail (asks whose target's worker died)--------&gt; workers
 *   any     --Reply------------------------------------------&gt; the process that asked
 * </pre>
 */
final class Frames {
    private Frames() {
    }

    /** The one transport message type; the record class says the rest. */
    static final int TYPE = 1;

    /**
     * A worker is up (its codec knows only the runtime's own types so far). The coordinator answers
     * with {@link Configure}, and the worker with {@link Ready}.
     */
    record Hello(int workerId, long pid, long fingerprint) {
    }

    /**
     * What a worker needs to know: the user's classes, in registration order, and its settings.
     * {@code refIdFloor}: the references it creates are numbered above it (a restarted worker must not
     * reuse the ids its predecessor shared).
     */
    record Configure(List<String> classNames, String systemName, int throughput, int threads, long handlerTimeoutMs,
                     long refIdFloor) {
    }

    /** The worker is configured; its full codec has this fingerprint (must equal the coordinator's). */
    record Ready(int workerId, long fingerprint) {
    }

    /**
     * Start an actor. {@code behavior} is its initial behavior; {@code restoredBehavior} and
     * {@code restoredState} (both null for a fresh actor) its committed behavior and state when a
     * restarted worker re-creates it.
     */
    record Spawn(String name, byte[] behavior, byte[] restoredBehavior, byte[] restoredState, boolean hasState) {
    }

    /** Deliver {@code message} to the actor named {@code target}. */
    record Tell(String target, byte[] message) {
    }

    /** Complete the ask {@code askId} of the receiving process with {@code message}. */
    record Reply(long askId, byte[] message) {
    }

    /** Stop an actor. */
    record StopActor(String name) {
    }

    /** An actor stopped (its watchers, the name registry). */
    record Stopped(String name) {
    }

    /** A reference read by a committing transaction, at the owner version it saw. */
    record ReadVersion(long id, long version) {
    }

    /** A reference value: a write of a commit, a new reference, or a fresh value from the owner. */
    record RefValue(long id, boolean isLong, long version, byte[] value) {
    }

    /**
     * A send of a committed handler, forwarded by the owner: to actor {@code target}, or, when {@code target} is
     * null, the reply to ask {@code askId} of endpoint {@code replyEndpoint}. For a send to an actor, {@code askId}
     * is the id of the sender's ask whose request this is (sent by {@code ask} itself), or 0: an ask whose request
     * cannot be delivered fails at once.
     */
    record Outgoing(String target, int replyEndpoint, long askId, byte[] message) {
        boolean isReply() {
            return target == null;
        }
    }

    /** New committed behavior and/or state of an actor, kept by the owner for restarts. */
    record ActorState(String name, byte[] behavior, byte[] state, boolean hasState) {
    }

    /** A child spawned by a committed handler (co-located with its parent). */
    record ChildSpawned(String name, byte[] behavior) {
    }

    /** A watch registered by a committed handler on an actor of another process. */
    record Watch(String target, String watcher, byte[] message) {
    }

    /**
     * Everything one committed handler (or transaction) did that others must learn. {@code sync}
     * commits wrote shared references and wait for {@link CommitResult}; the owner validates their
     * reads. Async ones only carry sends, new references and the actor's own state.
     */
    record Commit(long seq, boolean sync, String transaction, List<ReadVersion> reads, List<RefValue> writes,
                  List<RefValue> newRefs, List<Outgoing> sends, List<ActorState> actors,
                  List<ChildSpawned> spawns, List<Watch> watches) {
    }

    /**
     * The owner's answer to a sync commit: accepted with the new versions of the written
     * references, or rejected naming a stale reference; {@code ownerSeq} is the owner's update
     * sequence the worker must have applied before it re-runs the transaction. {@code refusal}
     * (not null) says why the owner refused a commit it must not re-run: the transaction fails.
     */
    record CommitResult(long seq, boolean ok, long[] writtenIds, long[] newVersions, long conflictId, long ownerSeq,
                        String refusal) {
    }

    /** First read of references a worker does not have yet. */
    record Fetch(long requestId, long[] ids) {
    }

    /** Their current values, with the owner's update sequence at that moment. */
    record Fetched(long requestId, List<RefValue> values, long ownerSeq) {
    }

    /** Committed values of references the receiving worker holds, in commit order. */
    record Update(long ownerSeq, List<RefValue> values) {
    }

    /** Are you idle? ({@code seq} > 0) */
    record StatusRequest(long seq) {
    }

    /**
     * A worker's answer: idle, counters for the quiescence check, its diagnostics, and the sizes of its
     * tables (replicas of shared references, asks waiting for a reply).
     */
    record Status(long seq, boolean idle, long tellsReceived, long commitsSent, long messages, long commits,
                  long aborts, long retryWaits, long failures, long deadLetters, int liveActors, int replicas,
                  int pendingAsks) {
    }

    /** The {@link Status#seq()} of the status a worker sends, unasked, once its actors are closed. */
    static final long FINAL_STATUS = -1;

    /** Stop every actor, send a final {@link Status} ({@link #FINAL_STATUS}) and exit. */
    record Shutdown() {
    }

    /** User code in a worker process (a handler, a callback) called {@code close()}: the coordinator closes the whole system. */
    record CloseRequest() {
    }

    /**
     * The actors {@code targets} cannot answer ({@code reason}: their worker process died, or is being restarted):
     * the worker fails its handlers' pending asks at once instead of letting them time out: the one ask
     * {@code askId} (its request was a dead letter), or, when it is 0, every ask pending to one of {@code targets}
     * (they died with the worker).
     */
    record AsksFail(List<String> targets, long askId, String reason) {
    }

    /** The runtime's own types, registered before the user's, in this order. */
    /**
     * Returns {@code frame} after checking that every list it holds (and every list of the records in those
     * lists) holds only elements of the declared type, or null. Kryo writes the class of each list element, so
     * malformed input can put any registered type where a {@code ChildSpawned} belongs; without this check the
     * receiver would fail with a {@code ClassCastException} wherever it first touched the element.
     *
     * @throws CodecException naming the record and the component
     */
    static Object checked(Object frame) {
        check(frame);
        return frame;
    }

    private static void check(Object record) {
        if (record == null) {
            return;
        }
        for (ListComponent c : LIST_COMPONENTS.get(record.getClass())) {
            List<?> list;
            try {
                list = (List<?>) c.accessor.invokeExact(record);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (list == null) {
                continue;
            }
            for (Object element : list) {
                if (element != null && !c.element.isInstance(element)) {
                    throw new CodecException("Malformed frame: " + record.getClass().getSimpleName() + "." + c.name
                            + " holds a " + element.getClass().getName() + " where a " + c.element.getSimpleName()
                            + " belongs");
                }
                if (element != null && element.getClass().isRecord()) {
                    check(element);
                }
            }
        }
    }

    /** A record component of type {@code List<element>}, with an accessor typed {@code (Object)List}. */
    private record ListComponent(String name, MethodHandle accessor, Class<?> element) {
    }

    private static final ClassValue<ListComponent[]> LIST_COMPONENTS = new ClassValue<>() {
        @Override
        protected ListComponent[] computeValue(Class<?> type) {
            List<ListComponent> out = new ArrayList<>();
            if (type.isRecord()) {
                for (RecordComponent rc : type.getRecordComponents()) {
                    if (rc.getType() == List.class && rc.getGenericType() instanceof ParameterizedType p
                            && p.getActualTypeArguments()[0] instanceof Class<?> element) {
                        try {
                            rc.getAccessor().setAccessible(true);
                            MethodHandle mh = MethodHandles.lookup().unreflect(rc.getAccessor())
                                    .asType(MethodType.methodType(List.class, Object.class));
                            out.add(new ListComponent(rc.getName(), mh, element));
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }
            return out.toArray(ListComponent[]::new);
        }
    };

    static List<Class<?>> types() {
        return List.of(Hello.class, Spawn.class, Tell.class, Reply.class, StopActor.class, Stopped.class,
                ReadVersion.class, RefValue.class, Outgoing.class, ActorState.class, ChildSpawned.class, Watch.class,
                Commit.class, CommitResult.class, Fetch.class, Fetched.class, Update.class, StatusRequest.class,
                Status.class, Shutdown.class, Boxed.class, Configure.class, Ready.class, CloseRequest.class,
                AsksFail.class);
    }
}
