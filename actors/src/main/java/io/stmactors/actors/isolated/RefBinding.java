package io.stmactors.actors.isolated;

/**
 * What the isolated mode attaches ({@link io.stmactors.stm.Replication#bind}) to a transactional
 * reference shared across processes: its global id and the owner's version of the value the local
 * reference holds.
 *
 * <p>{@link #version} and {@link #present} change together with the local value, under the
 * reference's lock: in {@code Replication.install}'s {@code underLock} (a fetch), or in the commit hook
 * of the transaction that writes it (a handler's accepted commit, the applier's update), before the
 * value is published. Never after that commit, once the lock is released: another install could come
 * in between and leave an older value under the newer version. Readers pair them with the value by
 * re-checking the lock word afterwards.
 */
final class RefBinding {
    /** Global id: 0x0000_xxxx for references created by the coordinator, worker id in the top 16 bits otherwise. */
    final long id;
    final boolean isLong;
    /** Which process's hooks handle this reference. */
    final Object side;
    /**
     * The owner version of the local value (0: not yet known; a reference this worker created has 1, the version
     * its first publication gets, from the start).
     */
    volatile long version;
    /** Whether the local reference holds a value (a worker's replica may still have to fetch it). */
    volatile boolean present;
    /**
     * A worker's replica: the version of the newest update of this reference the worker could not install (0: none).
     * A fetched value older than that is not installed: it would be served as current for good.
     */
    volatile long staleBelow;
    /**
     * Whether the owner knows this reference: false only for a reference a worker created and has
     * not yet shipped in a commit (its first commit carries its value as a new reference). Set once that
     * commit is accepted, or once the owner rejects a later commit that shipped it as new too (I11).
     */
    volatile boolean published;

    RefBinding(long id, boolean isLong, Object side, long version, boolean present, boolean published) {
        this.id = id;
        this.isLong = isLong;
        this.side = side;
        this.version = version;
        this.present = present;
        this.published = published;
    }

    @Override
    public String toString() {
        return "ref#" + Long.toHexString(id) + "@v" + version;
    }
}
