package io.stmactors.stm.internal;

import java.util.ArrayList;

/**
 * An immutable singly linked list of {@link Waiter}s hanging off one transactional reference.
 *
 * <p>Registration replaces the list head by CAS with a fresh node in front of the old list (copy on
 * write: a published list never changes, so a committer walks it without locks). Waiters that
 * already fired (their transaction was woken through another reference, or gave up) are dropped
 * when the list has doubled since its last pruning, by copying the live ones iteratively: amortized
 * constant work per registration, whatever the number of waiters. A committer takes the whole list
 * with one atomic swap to {@code null} and fires every waiter on it.
 */
public final class WaiterList {
    private static final System.Logger LOG = System.getLogger(WaiterList.class.getName());
    private static final int MIN_PRUNE = 64;

    final Waiter waiter;
    final WaiterList next;
    private final int size;
    private final int pruneAt;

    private WaiterList(Waiter waiter, WaiterList next, int size, int pruneAt) {
        this.waiter = waiter;
        this.next = next;
        this.size = size;
        this.pruneAt = pruneAt;
    }

    /** A new list: {@code waiter} followed by {@code old} (pruned of fired waiters now and then). */
    public static WaiterList prepend(Waiter waiter, WaiterList old) {
        if (old == null) {
            return new WaiterList(waiter, null, 1, MIN_PRUNE);
        }
        if (old.size + 1 < old.pruneAt) {
            return new WaiterList(waiter, old, old.size + 1, old.pruneAt);
        }
        ArrayList<Waiter> live = new ArrayList<>();
        for (WaiterList n = old; n != null; n = n.next) {
            if (!n.waiter.hasFired()) {
                live.add(n.waiter);
            }
        }
        int pruneAt = Math.max(MIN_PRUNE, 2 * (live.size() + 1));
        WaiterList list = null;
        for (int i = live.size() - 1; i >= 0; i--) {
            list = new WaiterList(live.get(i), list, live.size() - i, pruneAt);
        }
        return new WaiterList(waiter, list, live.size() + 1, pruneAt);
    }

    /**
     * Fires every waiter of {@code list}. A waiter whose action throws is reported and the others
     * still fire: one broken callback must not cost other transactions their wake-up.
     */
    public static void fireAll(WaiterList list) {
        for (WaiterList n = list; n != null; n = n.next) {
            try {
                n.waiter.fire();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "A retry wake-up callback failed; other waiters still fire", e);
            }
        }
    }
}
