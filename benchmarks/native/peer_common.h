/*
 * Shared pieces of the single-threaded liburing server peers (echo_server.c, http_plain.c): ring setup with the
 * same flags as the Java engine, the listening socket, and a ring of provided buffers for multishot recv.
 *
 * Written against liburing 2.3 (Debian 12), which has io_uring_register_buf_ring but not yet
 * io_uring_setup_buf_ring: the buffer ring's memory is mapped here and registered by hand.
 */
#ifndef PEER_COMMON_H
#define PEER_COMMON_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Same flag set as the Java engine (and nop_bench.c), so every peer exercises the same kernel paths. */
#define PEER_RING_FLAGS                                                        \
	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |                 \
	 IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL)

/* user_data: op in the top byte, the connection's generation in the next 24 bits, the fd in the low 32 bits.
 * The generation catches a completion meant for an earlier connection on a reused fd (a bug here, never
 * expected: a connection's fd is closed only when none of its ops is in flight). */
#define UD_MAKE(op, gen, fd)                                                   \
	(((uint64_t)(op) << 56) | (((uint64_t)(gen) & 0xffffffu) << 32) | (uint32_t)(fd))
#define UD_OP(ud) ((unsigned)((ud) >> 56))
#define UD_GEN(ud) ((uint32_t)(((ud) >> 32) & 0xffffffu))
#define UD_FD(ud) ((int)(uint32_t)(ud))

static inline void peer_die(const char *prog, const char *what, int neg_errno)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(-neg_errno));
	exit(1);
}

static inline int peer_parse_port(const char *prog, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v <= 0 || v > 65535) {
		fprintf(stderr, "%s: invalid port '%s'\n", prog, s);
		exit(2);
	}
	return (int)v;
}

/* Allows as many connections as the hard limit on open files allows (the idle-connection benchmark needs 10k+). */
static inline unsigned peer_raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur > (1u << 20) ? (1u << 20) : (unsigned)rl.rlim_cur;
}

static inline unsigned peer_setup_ring(const char *prog, struct io_uring *ring, unsigned sq_entries, unsigned cq_entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = PEER_RING_FLAGS | IORING_SETUP_CQSIZE;
	p.cq_entries = cq_entries;
	int ret = io_uring_queue_init_params(sq_entries, ring, &p);
	if (ret == -EINVAL) {
		/* Older kernels reject the task-run flags; still serve, just less optimised. */
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = cq_entries;
		ret = io_uring_queue_init_params(sq_entries, ring, &p);
	}
	if (ret < 0)
		peer_die(prog, "io_uring_queue_init_params", ret);
	/* Saves the fd lookup in every io_uring_enter; optional, so a failure is ignored. */
	io_uring_register_ring_fd(ring);
	return p.flags & ~IORING_SETUP_CQSIZE;
}

static inline int peer_listen(const char *prog, const char *host, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		peer_die(prog, "socket", -errno);
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		peer_die(prog, "SO_REUSEADDR", -errno);
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "%s: invalid IPv4 address '%s'\n", prog, host);
		exit(2);
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		peer_die(prog, "bind", -errno);
	if (listen(fd, 4096) != 0)
		peer_die(prog, "listen", -errno);
	return fd;
}

static inline void peer_set_nodelay(int fd)
{
	int one = 1;
	/* Best effort: a connection that was reset meanwhile fails here and then fails its first recv. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static inline struct io_uring_sqe *peer_get_sqe(const char *prog, struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	if (sqe == NULL) {
		/* SQ full: hand what is queued to the kernel and take a fresh entry; completions are reaped later. */
		int ret = io_uring_submit(ring);
		if (ret < 0)
			peer_die(prog, "io_uring_submit", ret);
		sqe = io_uring_get_sqe(ring);
		if (sqe == NULL)
			peer_die(prog, "io_uring_get_sqe", -EBUSY);
	}
	return sqe;
}

/* A ring of `count` provided buffers of `size` bytes each, buffer group `bgid`; bid i is at base + i * size. */
struct peer_buffers {
	struct io_uring_buf_ring *br;
	unsigned char *base;
	unsigned size;
	unsigned count;
	int mask;
	unsigned pending; /* buffers added since the last advance */
	unsigned free;    /* buffers the kernel may pick */
	uint16_t bgid;
};

static inline void peer_buffers_init(const char *prog, struct io_uring *ring, struct peer_buffers *b, uint16_t bgid,
			      unsigned count, unsigned size)
{
	size_t ring_bytes = (size_t)count * sizeof(struct io_uring_buf);
	void *mem = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		peer_die(prog, "mmap buffer ring", -errno);
	b->br = mem;
	b->base = malloc((size_t)count * size);
	if (b->base == NULL)
		peer_die(prog, "malloc buffers", -ENOMEM);
	b->size = size;
	b->count = count;
	b->mask = io_uring_buf_ring_mask(count);
	b->bgid = bgid;
	b->pending = 0;
	io_uring_buf_ring_init(b->br);

	struct io_uring_buf_reg reg;
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (unsigned long)b->br;
	reg.ring_entries = count;
	reg.bgid = bgid;
	int ret = io_uring_register_buf_ring(ring, &reg, 0);
	if (ret < 0)
		peer_die(prog, "io_uring_register_buf_ring (needs Linux 5.19)", ret);
	for (unsigned i = 0; i < count; i++)
		io_uring_buf_ring_add(b->br, b->base + (size_t)i * size, size, (unsigned short)i, b->mask, (int)i);
	io_uring_buf_ring_advance(b->br, (int)count);
	b->free = count;
}

static inline unsigned char *peer_buffer(const struct peer_buffers *b, unsigned bid)
{
	return b->base + (size_t)bid * b->size;
}

/* Gives buffer `bid` back to the kernel; it becomes visible at the next peer_buffers_publish. */
static inline void peer_buffer_recycle(struct peer_buffers *b, unsigned bid)
{
	io_uring_buf_ring_add(b->br, peer_buffer(b, bid), b->size, (unsigned short)bid, b->mask, (int)b->pending);
	b->pending++;
	b->free++;
}

/* One release-store of the ring's tail for all buffers recycled since the last call. */
static inline void peer_buffers_publish(struct peer_buffers *b)
{
	if (b->pending) {
		io_uring_buf_ring_advance(b->br, (int)b->pending);
		b->pending = 0;
	}
}

static inline void peer_prep_recv_multishot(const char *prog, struct io_uring *ring, const struct peer_buffers *b, int fd,
				     uint64_t user_data)
{
	struct io_uring_sqe *sqe = peer_get_sqe(prog, ring);
	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = b->bgid;
	io_uring_sqe_set_data64(sqe, user_data);
}

static inline void peer_prep_accept(const char *prog, struct io_uring *ring, int listen_fd, uint64_t user_data)
{
	struct io_uring_sqe *sqe = peer_get_sqe(prog, ring);
	io_uring_prep_multishot_accept(sqe, listen_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, user_data);
}

static inline int peer_submit_and_wait(const char *prog, struct io_uring *ring)
{
	int ret;
	do {
		ret = io_uring_submit_and_wait(ring, 1);
		/* -EBUSY: the CQ overflowed into the kernel's backlog; reaping what is there makes room again. */
	} while (ret == -EINTR);
	if (ret < 0 && ret != -EBUSY)
		peer_die(prog, "io_uring_submit_and_wait", ret);
	return ret;
}

#endif
