package io.reactiveuring.core.engine;

import io.reactiveuring.core.linux.IoUring;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What a ring was set up with and what the kernel offers: feature bits ({@code IORING_FEAT_*}), the setup flags
 * that were accepted, the queue sizes, and the opcodes the kernel reported as supported by
 * {@code IORING_REGISTER_PROBE}. An immutable value; safe to share between threads.
 */
public final class RingFeatures {
    private final int features;
    private final int setupFlags;
    private final int sqEntries;
    private final int cqEntries;
    private final BitSet supportedOps;
    /** The same as a flat table, consulted at every submission: one load instead of a BitSet lookup. */
    private final boolean[] supportedTable = new boolean[256];
    private final int lastOp;

    /**
     * What the ring reports after setup (made by the library's ring setup; a value anyone may build, e.g. in tests).
     *
     * @param features     {@code io_uring_params.features}
     * @param setupFlags   the setup flags the kernel accepted
     * @param sqEntries    submission queue size
     * @param cqEntries    completion queue size
     * @param supportedOps opcodes the probe reported as supported (copied)
     * @param lastOp       the highest opcode the kernel knows, or -1 if the probe failed
     */
    public RingFeatures(int features, int setupFlags, int sqEntries, int cqEntries, BitSet supportedOps,
                        int lastOp) {
        this.features = features;
        this.setupFlags = setupFlags;
        this.sqEntries = sqEntries;
        this.cqEntries = cqEntries;
        this.supportedOps = (BitSet) supportedOps.clone();
        this.lastOp = lastOp;
        for (int op = this.supportedOps.nextSetBit(0); op >= 0 && op < 256; op = this.supportedOps.nextSetBit(op + 1)) {
            supportedTable[op] = true;
        }
    }

    /** The raw {@code io_uring_params.features} bits. */
    public int features() {
        return features;
    }

    /** True if every bit of {@code feature} (an {@code IORING_FEAT_*} constant) is set. */
    public boolean hasFeature(int feature) {
        return (features & feature) == feature;
    }

    /** The {@code IORING_SETUP_*} flags the ring was created with (after the fallback chain). */
    public int setupFlags() {
        return setupFlags;
    }

    public boolean hasSetupFlag(int flag) {
        return (setupFlags & flag) == flag;
    }

    public int sqEntries() {
        return sqEntries;
    }

    public int cqEntries() {
        return cqEntries;
    }

    /** True if the kernel reported {@code opcode} ({@code IORING_OP_*}) as supported. */
    public boolean supports(int opcode) {
        return opcode >= 0 && opcode < 256 && supportedTable[opcode];
    }

    /**
     * True if an op of {@code opcode} may be submitted: the kernel supports it, or the probe failed (then the kernel
     * answers for itself).
     *
     * @param opcode an {@code IORING_OP_*} constant (a byte)
     * @return whether to submit it
     */
    boolean admits(byte opcode) {
        return supportedTable[opcode & 0xFF] || lastOp < 0;
    }

    /** The highest opcode number the kernel knows ({@code io_uring_probe.last_op}). */
    public int lastOp() {
        return lastOp;
    }

    public List<String> featureNames() {
        return names(features, IoUring::featureName);
    }

    public List<String> setupFlagNames() {
        return names(setupFlags, IoUring::setupFlagName);
    }

    public List<String> supportedOpNames() {
        List<String> names = new ArrayList<>();
        supportedOps.stream().forEach(op -> names.add(IoUring.opName(op)));
        return names;
    }

    /** Opcodes this binding knows that the kernel does not support. */
    public List<String> unsupportedKnownOpNames() {
        List<String> names = new ArrayList<>();
        for (int op = 0; op <= IoUring.LAST_KNOWN_OP; op++) {
            if (!supportedOps.get(op)) {
                names.add(IoUring.opName(op));
            }
        }
        return names;
    }

    private static List<String> names(int bits, java.util.function.IntFunction<String> namer) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 32; bit++) {
            if ((bits & (1 << bit)) != 0) {
                names.add(namer.apply(bit));
            }
        }
        return names;
    }

    @Override
    public String toString() {
        return "RingFeatures[features=" + featureNames() + ", setup=" + setupFlagNames() + ", sq=" + sqEntries
                + ", cq=" + cqEntries + ", ops=" + supportedOps.cardinality() + "]";
    }
}
