package io.reactiveuring.core.engine;

/**
 * The in-flight table of one loop: which operation owns which slot, each slot's generation, and the user_data codec
 * that ties a CQE back to its slot. user_data is {@code generation (32 bits) | slot (24 bits) | opcode (8 bits)}:
 * never an fd, and a CQE that names a generation no longer current (a slot freed and reused meanwhile) is
 * recognised as stale instead of reaching the wrong operation. Slots come from a preallocated free stack, so
 * claiming and freeing one allocates nothing.
 *
 * <p>Threading: loop thread only. Ownership: a slot holds its operation from preparation until its final CQE (or
 * until the loop quarantines it at its end).
 */
final class SlotTable {
    static final int NO_SLOT = -1;
    private static final int SLOT_BITS = 24;
    static final int MAX_SLOTS = 1 << SLOT_BITS;

    private final UringOperation[] ops;
    private final int[] generations;
    /**
     * 1 for a user operation's slot, 0 for one of the loop's own (wake-up read, cancels): added to and subtracted from
     * {@link #userInFlight} instead of tested, so the hot claim and free paths have no branch on the kind of op. A
     * branch that the loop's rare internal completions take only now and then is one the JIT compiles as a trap when
     * its profile has not seen it yet, and the first internal completion after that discards the compiled dispatch
     * path (seen as a benchmark fork running seconds of its measurement in unoptimised code).
     */
    private final byte[] userWeight;
    private final int[] free;
    private int freeTop;
    private int userInFlight;

    SlotTable(int count) {
        if (count < 1 || count > MAX_SLOTS) {
            throw new IllegalArgumentException("slot count must be in [1, 2^24]: " + count);
        }
        ops = new UringOperation[count];
        generations = new int[count];
        userWeight = new byte[count];
        free = new int[count];
        for (int i = 0; i < count; i++) {
            generations[i] = 1;
            free[i] = count - 1 - i; // slot 0 on top
        }
        freeTop = count;
    }

    // ---- the user_data codec, in one place

    static long userData(int generation, int slot, byte opcode) {
        return ((long) generation << 32) | ((long) slot << 8) | (opcode & 0xFF);
    }

    static int slotOf(long userData) {
        return (int) (userData >>> 8) & (MAX_SLOTS - 1);
    }

    static int generationOf(long userData) {
        return (int) (userData >>> 32);
    }

    // ---- slots

    /**
     * Gives {@code op} the slot on top of the free stack and its user_data; there must be a free slot.
     * {@code userWeight}: 1 for a user operation, 0 for one of the loop's own.
     */
    void claim(UringOperation op, int userWeight, byte opcode) {
        int slot = free[--freeTop];
        ops[slot] = op;
        this.userWeight[slot] = (byte) userWeight;
        userInFlight += userWeight;
        op.slot = slot;
        op.userData = userData(generations[slot], slot, opcode);
    }

    /** The operation a CQE's user_data names, or null if that submission is no longer current (stale). */
    UringOperation lookup(long userData) {
        int slot = slotOf(userData);
        if (slot >= ops.length || generations[slot] != generationOf(userData)) {
            return null;
        }
        return ops[slot];
    }

    /** Frees {@code op}'s slot (after its final CQE): a new generation, so later CQEs for it are stale. */
    void free(UringOperation op) {
        int slot = op.slot;
        ops[slot] = null;
        userInFlight -= userWeight[slot];
        int g = generations[slot] + 1;
        generations[slot] = g == 0 ? 1 : g;
        free[freeTop++] = slot;
        op.slot = NO_SLOT;
    }

    /**
     * Abandons {@code slot} at the loop's end without recycling it: its operation never got its final CQE, so the
     * kernel may still use what it points to. Returns whether it was a user operation.
     */
    boolean abandon(int slot) {
        UringOperation op = ops[slot];
        ops[slot] = null;
        op.slot = NO_SLOT;
        int weight = userWeight[slot];
        userInFlight -= weight;
        return weight != 0;
    }

    /** True if {@code op} holds a slot now, i.e. it is in flight (prepared and not yet finally completed). */
    boolean holds(UringOperation op) {
        int slot = op.slot;
        return slot >= 0 && slot < ops.length && ops[slot] == op;
    }

    UringOperation at(int slot) {
        return ops[slot];
    }

    boolean isInternal(int slot) {
        return userWeight[slot] == 0;
    }

    int capacity() {
        return ops.length;
    }

    int freeSlots() {
        return freeTop;
    }

    /** Slots in use, internal operations included. */
    int inUse() {
        return ops.length - freeTop;
    }

    int userInFlight() {
        return userInFlight;
    }
}
