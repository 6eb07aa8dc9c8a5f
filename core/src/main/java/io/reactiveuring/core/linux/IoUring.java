package io.reactiveuring.core.linux;

/**
 * Constants of the io_uring ABI, named exactly as in {@code include/uapi/linux/io_uring.h}
 * (prefixes kept) so that a reader can grep the kernel header for each of them.
 *
 * <p>Stateless; safe from any thread.
 */
public final class IoUring {
    private IoUring() {
    }

    // syscall numbers (identical on x86_64 and aarch64, see include/uapi/asm-generic/unistd.h)
    public static final int SYS_io_uring_setup = 425;
    public static final int SYS_io_uring_enter = 426;
    public static final int SYS_io_uring_register = 427;

    // mmap offsets
    public static final long IORING_OFF_SQ_RING = 0L;
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    public static final long IORING_OFF_SQES = 0x10000000L;

    // io_uring_params.flags
    public static final int IORING_SETUP_IOPOLL = 1;
    public static final int IORING_SETUP_SQPOLL = 1 << 1;
    public static final int IORING_SETUP_SQ_AFF = 1 << 2;
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    public static final int IORING_SETUP_ATTACH_WQ = 1 << 5;
    public static final int IORING_SETUP_R_DISABLED = 1 << 6;
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    public static final int IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    public static final int IORING_SETUP_SQE128 = 1 << 10;
    public static final int IORING_SETUP_CQE32 = 1 << 11;
    public static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    public static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;
    public static final int IORING_SETUP_NO_MMAP = 1 << 14;
    public static final int IORING_SETUP_REGISTERED_FD_ONLY = 1 << 15;
    public static final int IORING_SETUP_NO_SQARRAY = 1 << 16;

    // io_uring_params.features
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    public static final int IORING_FEAT_NODROP = 1 << 1;
    public static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    public static final int IORING_FEAT_RW_CUR_POS = 1 << 3;
    public static final int IORING_FEAT_CUR_PERSONALITY = 1 << 4;
    public static final int IORING_FEAT_FAST_POLL = 1 << 5;
    public static final int IORING_FEAT_POLL_32BITS = 1 << 6;
    public static final int IORING_FEAT_SQPOLL_NONFIXED = 1 << 7;
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    public static final int IORING_FEAT_NATIVE_WORKERS = 1 << 9;
    public static final int IORING_FEAT_RSRC_TAGS = 1 << 10;
    public static final int IORING_FEAT_CQE_SKIP = 1 << 11;
    public static final int IORING_FEAT_LINKED_FILE = 1 << 12;
    public static final int IORING_FEAT_REG_REG_RING = 1 << 13;
    public static final int IORING_FEAT_RECVSEND_BUNDLE = 1 << 14;
    public static final int IORING_FEAT_MIN_TIMEOUT = 1 << 15;
    public static final int IORING_FEAT_RW_ATTR = 1 << 16;
    public static final int IORING_FEAT_NO_IOWAIT = 1 << 17;

    // io_uring_enter flags
    public static final int IORING_ENTER_GETEVENTS = 1;
    public static final int IORING_ENTER_SQ_WAKEUP = 1 << 1;
    public static final int IORING_ENTER_SQ_WAIT = 1 << 2;
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;
    public static final int IORING_ENTER_REGISTERED_RING = 1 << 4;

    // sq_ring->flags
    public static final int IORING_SQ_NEED_WAKEUP = 1;
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    public static final int IORING_SQ_TASKRUN = 1 << 2;

    // sqe->flags
    public static final byte IOSQE_FIXED_FILE = 1;
    public static final byte IOSQE_IO_DRAIN = 1 << 1;
    public static final byte IOSQE_IO_LINK = 1 << 2;
    public static final byte IOSQE_IO_HARDLINK = 1 << 3;
    public static final byte IOSQE_ASYNC = 1 << 4;
    public static final byte IOSQE_BUFFER_SELECT = 1 << 5;
    public static final byte IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // cqe->flags
    public static final int IORING_CQE_F_BUFFER = 1;
    public static final int IORING_CQE_F_MORE = 1 << 1;
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    public static final int IORING_CQE_F_NOTIF = 1 << 3;
    public static final int IORING_CQE_F_BUF_MORE = 1 << 4;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;

    // opcodes (enum io_uring_op)
    public static final byte IORING_OP_NOP = 0;
    public static final byte IORING_OP_READV = 1;
    public static final byte IORING_OP_WRITEV = 2;
    public static final byte IORING_OP_FSYNC = 3;
    public static final byte IORING_OP_READ_FIXED = 4;
    public static final byte IORING_OP_WRITE_FIXED = 5;
    public static final byte IORING_OP_POLL_ADD = 6;
    public static final byte IORING_OP_POLL_REMOVE = 7;
    public static final byte IORING_OP_SYNC_FILE_RANGE = 8;
    public static final byte IORING_OP_SENDMSG = 9;
    public static final byte IORING_OP_RECVMSG = 10;
    public static final byte IORING_OP_TIMEOUT = 11;
    public static final byte IORING_OP_TIMEOUT_REMOVE = 12;
    public static final byte IORING_OP_ACCEPT = 13;
    public static final byte IORING_OP_ASYNC_CANCEL = 14;
    public static final byte IORING_OP_LINK_TIMEOUT = 15;
    public static final byte IORING_OP_CONNECT = 16;
    public static final byte IORING_OP_FALLOCATE = 17;
    public static final byte IORING_OP_OPENAT = 18;
    public static final byte IORING_OP_CLOSE = 19;
    public static final byte IORING_OP_FILES_UPDATE = 20;
    public static final byte IORING_OP_STATX = 21;
    public static final byte IORING_OP_READ = 22;
    public static final byte IORING_OP_WRITE = 23;
    public static final byte IORING_OP_FADVISE = 24;
    public static final byte IORING_OP_MADVISE = 25;
    public static final byte IORING_OP_SEND = 26;
    public static final byte IORING_OP_RECV = 27;
    public static final byte IORING_OP_OPENAT2 = 28;
    public static final byte IORING_OP_EPOLL_CTL = 29;
    public static final byte IORING_OP_SPLICE = 30;
    public static final byte IORING_OP_PROVIDE_BUFFERS = 31;
    public static final byte IORING_OP_REMOVE_BUFFERS = 32;
    public static final byte IORING_OP_TEE = 33;
    public static final byte IORING_OP_SHUTDOWN = 34;
    public static final byte IORING_OP_RENAMEAT = 35;
    public static final byte IORING_OP_UNLINKAT = 36;
    public static final byte IORING_OP_MKDIRAT = 37;
    public static final byte IORING_OP_SYMLINKAT = 38;
    public static final byte IORING_OP_LINKAT = 39;
    public static final byte IORING_OP_MSG_RING = 40;
    public static final byte IORING_OP_FSETXATTR = 41;
    public static final byte IORING_OP_SETXATTR = 42;
    public static final byte IORING_OP_FGETXATTR = 43;
    public static final byte IORING_OP_GETXATTR = 44;
    public static final byte IORING_OP_SOCKET = 45;
    public static final byte IORING_OP_URING_CMD = 46;
    public static final byte IORING_OP_SEND_ZC = 47;
    public static final byte IORING_OP_SENDMSG_ZC = 48;
    public static final byte IORING_OP_READ_MULTISHOT = 49;
    public static final byte IORING_OP_WAITID = 50;
    public static final byte IORING_OP_FUTEX_WAIT = 51;
    public static final byte IORING_OP_FUTEX_WAKE = 52;
    public static final byte IORING_OP_FUTEX_WAITV = 53;
    public static final byte IORING_OP_FIXED_FD_INSTALL = 54;
    public static final byte IORING_OP_FTRUNCATE = 55;
    public static final byte IORING_OP_BIND = 56;
    public static final byte IORING_OP_LISTEN = 57;
    public static final byte IORING_OP_RECV_ZC = 58;
    public static final byte IORING_OP_EPOLL_WAIT = 59;
    public static final byte IORING_OP_READV_FIXED = 60;
    public static final byte IORING_OP_WRITEV_FIXED = 61;
    public static final byte IORING_OP_PIPE = 62;

    // sqe->fsync_flags
    public static final int IORING_FSYNC_DATASYNC = 1;

    // sqe->timeout_flags
    public static final int IORING_TIMEOUT_ABS = 1;
    public static final int IORING_TIMEOUT_UPDATE = 1 << 1;
    public static final int IORING_TIMEOUT_BOOTTIME = 1 << 2;
    public static final int IORING_TIMEOUT_REALTIME = 1 << 3;
    public static final int IORING_LINK_TIMEOUT_UPDATE = 1 << 4;
    public static final int IORING_TIMEOUT_ETIME_SUCCESS = 1 << 5;
    public static final int IORING_TIMEOUT_MULTISHOT = 1 << 6;

    // sqe->cancel_flags
    public static final int IORING_ASYNC_CANCEL_ALL = 1;
    public static final int IORING_ASYNC_CANCEL_FD = 1 << 1;
    public static final int IORING_ASYNC_CANCEL_ANY = 1 << 2;
    public static final int IORING_ASYNC_CANCEL_FD_FIXED = 1 << 3;
    public static final int IORING_ASYNC_CANCEL_USERDATA = 1 << 4;
    public static final int IORING_ASYNC_CANCEL_OP = 1 << 5;

    // POLL_ADD flags (sqe->len)
    public static final int IORING_POLL_ADD_MULTI = 1;
    public static final int IORING_POLL_UPDATE_EVENTS = 1 << 1;
    public static final int IORING_POLL_UPDATE_USER_DATA = 1 << 2;
    public static final int IORING_POLL_ADD_LEVEL = 1 << 3;

    // send/recv flags (sqe->ioprio)
    public static final int IORING_RECVSEND_POLL_FIRST = 1;
    public static final int IORING_RECV_MULTISHOT = 1 << 1;
    public static final int IORING_RECVSEND_FIXED_BUF = 1 << 2;
    public static final int IORING_SEND_ZC_REPORT_USAGE = 1 << 3;
    public static final int IORING_RECVSEND_BUNDLE = 1 << 4;

    // accept flags (sqe->ioprio)
    public static final int IORING_ACCEPT_MULTISHOT = 1;
    public static final int IORING_ACCEPT_DONTWAIT = 1 << 1;
    public static final int IORING_ACCEPT_POLL_FIRST = 1 << 2;

    // MSG_RING commands (sqe->addr) and flags (sqe->msg_ring_flags)
    public static final int IORING_MSG_DATA = 0;
    public static final int IORING_MSG_SEND_FD = 1;
    public static final int IORING_MSG_RING_CQE_SKIP = 1;
    public static final int IORING_MSG_RING_FLAGS_PASS = 1 << 1;

    /** Allocate a free slot for a direct descriptor (sqe->file_index). */
    public static final int IORING_FILE_INDEX_ALLOC = ~0;

    // io_uring_register opcodes
    public static final int IORING_REGISTER_BUFFERS = 0;
    public static final int IORING_UNREGISTER_BUFFERS = 1;
    public static final int IORING_REGISTER_FILES = 2;
    public static final int IORING_UNREGISTER_FILES = 3;
    public static final int IORING_REGISTER_EVENTFD = 4;
    public static final int IORING_UNREGISTER_EVENTFD = 5;
    public static final int IORING_REGISTER_FILES_UPDATE = 6;
    public static final int IORING_REGISTER_EVENTFD_ASYNC = 7;
    public static final int IORING_REGISTER_PROBE = 8;
    public static final int IORING_REGISTER_PERSONALITY = 9;
    public static final int IORING_UNREGISTER_PERSONALITY = 10;
    public static final int IORING_REGISTER_RESTRICTIONS = 11;
    public static final int IORING_REGISTER_ENABLE_RINGS = 12;
    public static final int IORING_REGISTER_FILES2 = 13;
    public static final int IORING_REGISTER_FILES_UPDATE2 = 14;
    public static final int IORING_REGISTER_BUFFERS2 = 15;
    public static final int IORING_REGISTER_BUFFERS_UPDATE = 16;
    public static final int IORING_REGISTER_IOWQ_AFF = 17;
    public static final int IORING_UNREGISTER_IOWQ_AFF = 18;
    public static final int IORING_REGISTER_IOWQ_MAX_WORKERS = 19;
    public static final int IORING_REGISTER_RING_FDS = 20;
    public static final int IORING_UNREGISTER_RING_FDS = 21;
    public static final int IORING_REGISTER_PBUF_RING = 22;
    public static final int IORING_UNREGISTER_PBUF_RING = 23;
    public static final int IORING_REGISTER_SYNC_CANCEL = 24;
    public static final int IORING_REGISTER_FILE_ALLOC_RANGE = 25;
    public static final int IORING_REGISTER_PBUF_STATUS = 26;

    /** io_uring_rsrc_register.flags: register a sparse (all empty) table. */
    public static final int IORING_RSRC_REGISTER_SPARSE = 1;

    /** io_uring_probe_op.flags */
    public static final int IO_URING_OP_SUPPORTED = 1;

    /** Highest opcode this binding knows a name for. */
    public static final int LAST_KNOWN_OP = IORING_OP_PIPE;

    private static final String[] OP_NAMES = {
        "NOP", "READV", "WRITEV", "FSYNC", "READ_FIXED", "WRITE_FIXED", "POLL_ADD", "POLL_REMOVE",
        "SYNC_FILE_RANGE", "SENDMSG", "RECVMSG", "TIMEOUT", "TIMEOUT_REMOVE", "ACCEPT", "ASYNC_CANCEL",
        "LINK_TIMEOUT", "CONNECT", "FALLOCATE", "OPENAT", "CLOSE", "FILES_UPDATE", "STATX", "READ", "WRITE",
        "FADVISE", "MADVISE", "SEND", "RECV", "OPENAT2", "EPOLL_CTL", "SPLICE", "PROVIDE_BUFFERS",
        "REMOVE_BUFFERS", "TEE", "SHUTDOWN", "RENAMEAT", "UNLINKAT", "MKDIRAT", "SYMLINKAT", "LINKAT",
        "MSG_RING", "FSETXATTR", "SETXATTR", "FGETXATTR", "GETXATTR", "SOCKET", "URING_CMD", "SEND_ZC",
        "SENDMSG_ZC", "READ_MULTISHOT", "WAITID", "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_WAITV",
        "FIXED_FD_INSTALL", "FTRUNCATE", "BIND", "LISTEN", "RECV_ZC", "EPOLL_WAIT", "READV_FIXED", "WRITEV_FIXED",
        "PIPE",
    };

    /** The opcode's name without the {@code IORING_OP_} prefix, or {@code OP_<n>} if unknown. */
    public static String opName(int opcode) {
        int op = opcode & 0xff;
        return op < OP_NAMES.length ? OP_NAMES[op] : "OP_" + op;
    }

    private static final String[] FEATURE_NAMES = {
        "SINGLE_MMAP", "NODROP", "SUBMIT_STABLE", "RW_CUR_POS", "CUR_PERSONALITY", "FAST_POLL", "POLL_32BITS",
        "SQPOLL_NONFIXED", "EXT_ARG", "NATIVE_WORKERS", "RSRC_TAGS", "CQE_SKIP", "LINKED_FILE", "REG_REG_RING",
        "RECVSEND_BUNDLE", "MIN_TIMEOUT", "RW_ATTR", "NO_IOWAIT",
    };

    /** Name of feature bit {@code bit} (0-based) without the {@code IORING_FEAT_} prefix. */
    public static String featureName(int bit) {
        return bit < FEATURE_NAMES.length ? FEATURE_NAMES[bit] : "FEAT_BIT_" + bit;
    }

    private static final String[] SETUP_NAMES = {
        "IOPOLL", "SQPOLL", "SQ_AFF", "CQSIZE", "CLAMP", "ATTACH_WQ", "R_DISABLED", "SUBMIT_ALL", "COOP_TASKRUN",
        "TASKRUN_FLAG", "SQE128", "CQE32", "SINGLE_ISSUER", "DEFER_TASKRUN", "NO_MMAP", "REGISTERED_FD_ONLY",
        "NO_SQARRAY",
    };

    /** Name of setup flag bit {@code bit} (0-based) without the {@code IORING_SETUP_} prefix. */
    public static String setupFlagName(int bit) {
        return bit < SETUP_NAMES.length ? SETUP_NAMES[bit] : "SETUP_BIT_" + bit;
    }

    /** Space-separated names of the set bits of {@code flags}, using {@code namer}. */
    public static String bitNames(int flags, java.util.function.IntFunction<String> namer) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & (1 << bit)) != 0) {
                if (!sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append(namer.apply(bit));
            }
        }
        return sb.toString();
    }

    // ---- file ops and resource registration (FileOps, RegisteredFiles, RegisteredBuffers, RegisteredRingFds)

    /** sqe->splice_flags: {@code splice_fd_in} is an index into the registered file table (the last bit of u32). */
    public static final int SPLICE_F_FD_IN_FIXED = 1 << 31;

    /** In an {@code IORING_REGISTER_FILES_UPDATE(2)} fd array: leave this slot as it is. */
    public static final int IORING_REGISTER_FILES_SKIP = -2;

    /**
     * How many ring fds one thread can register with {@code IORING_REGISTER_RING_FDS}: indices are below it
     * ({@code IO_RINGFD_REG_MAX}, include/linux/io_uring_types.h).
     */
    public static final int IO_RINGFD_REG_MAX = 16;

    // ------------------------------------------------------------------------------------------------------------
    // Socket and control ops, provided-buffer rings (added with ops.SocketOps / ops.ControlOps /
    // buffer.ProvidedBufferRing). Values the SQE fields of those ops take that are defined outside io_uring.h are
    // kept in binding.Poll (poll bits, RWF_NOWAIT) and binding.LibSocket (MSG_*, SOCK_*, ...).

    /** {@code io_uring_buf_reg.flags}: the kernel allocates the ring and the application mmaps it (not used). */
    public static final int IOU_PBUF_RING_MMAP = 1;
    /** {@code io_uring_buf_reg.flags}: buffers may be consumed incrementally (6.12; not used). */
    public static final int IOU_PBUF_RING_INC = 2;
}
