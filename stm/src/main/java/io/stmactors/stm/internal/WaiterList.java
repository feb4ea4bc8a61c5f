package io.stmactors.stm.internal;

/**
 * An immutable singly linked list of {@link Waiter}s hanging off one transactional reference.
 *
 * <p>Registration replaces the list head by CAS with a fresh node whose tail is the old list minus
 * waiters that already fired (copy on write, so a list is never mutated after publication and a
 * committer can walk it without locks). A committer takes the whole list with one atomic swap to
 * {@code null} and fires every waiter on it.
 */
public final class WaiterList {
    final Waiter waiter;
    final WaiterList next;

    private WaiterList(Waiter waiter, WaiterList next) {
        this.waiter = waiter;
        this.next = next;
    }

    /** A new list: {@code waiter} followed by the not-yet-fired waiters of {@code old}. */
    public static WaiterList prepend(Waiter waiter, WaiterList old) {
        return new WaiterList(waiter, pruned(old));
    }

    private static WaiterList pruned(WaiterList list) {
        if (list == null) {
            return null;
        }
        WaiterList rest = pruned(list.next);
        if (list.waiter.hasFired()) {
            return rest;
        }
        return rest == list.next ? list : new WaiterList(list.waiter, rest);
    }

    /** Fires every waiter of {@code list}. */
    public static void fireAll(WaiterList list) {
        for (WaiterList n = list; n != null; n = n.next) {
            n.waiter.fire();
        }
    }
}
