/*
 * TCP echo server, single-threaded, liburing: the ceiling for the TCP echo benchmark.
 *
 * Usage: echo_server <port> [ipv4-address (default 127.0.0.1)]
 *
 * One multishot accept; per connection one multishot recv into a shared ring of provided buffers, and a send of
 * each received buffer as it is (no copy). At most one send is in flight per connection (the kernel does not keep
 * concurrent sends in order after a partial send); buffers received meanwhile wait in a per-connection FIFO. A
 * partial send is re-issued for the rest. At EOF the queued data is still sent, then the socket closed; after an
 * error the queue is dropped and the socket shut down, which ends the multishot recv. A connection's fd is closed
 * only when none of its ops is in flight, so no completion can arrive for a reused fd.
 *
 * Prints one line when it listens and nothing per connection; runs until killed (SIGTERM).
 */
#include "peer_common.h"

#define PROG "echo_server"
#define BGID 0
#ifndef BUF_COUNT
#define BUF_COUNT 4096 /* power of two; -DBUF_COUNT=16 makes the -ENOBUFS path easy to exercise */
#endif
#define BUF_SIZE 4096

enum { OP_ACCEPT = 1, OP_RECV, OP_SEND };

struct conn {
	uint32_t gen;
	uint8_t open;
	uint8_t recv_armed;
	uint8_t send_inflight;
	uint8_t eof;     /* the peer closed its side: send what is queued, then close */
	uint8_t failed;  /* an error: drop what is queued, close when nothing is in flight */
	uint8_t starved; /* its recv ended with -ENOBUFS and is on the starved list */
	int32_t q_head;  /* FIFO of received buffers (bids) not yet fully sent; -1 when empty */
	int32_t q_tail;
	uint32_t head_sent; /* bytes of the head buffer already sent */
};

static struct io_uring ring;
static struct peer_buffers bufs;
static struct conn *conns;
static unsigned max_conns;
static int32_t buf_next[BUF_COUNT];
static uint32_t buf_len[BUF_COUNT];
static int *starved;
static unsigned starved_count;
static int listen_fd;

static void arm_recv(int fd)
{
	struct conn *c = &conns[fd];
	peer_prep_recv_multishot(PROG, &ring, &bufs, fd, UD_MAKE(OP_RECV, c->gen, fd));
	c->recv_armed = 1;
}

static void start_send(int fd)
{
	struct conn *c = &conns[fd];
	unsigned bid = (unsigned)c->q_head;
	struct io_uring_sqe *sqe = peer_get_sqe(PROG, &ring);
	io_uring_prep_send(sqe, fd, peer_buffer(&bufs, bid) + c->head_sent, buf_len[bid] - c->head_sent, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, UD_MAKE(OP_SEND, c->gen, fd));
	c->send_inflight = 1;
}

static void drop_queue(struct conn *c)
{
	while (c->q_head >= 0) {
		unsigned bid = (unsigned)c->q_head;
		c->q_head = buf_next[bid];
		peer_buffer_recycle(&bufs, bid);
	}
	c->q_tail = -1;
	c->head_sent = 0;
}

static void fail(int fd)
{
	struct conn *c = &conns[fd];
	if (c->failed)
		return;
	c->failed = 1;
	if (!c->send_inflight)
		drop_queue(c);
	/* Ends the armed multishot recv (it completes with 0 or an error and no F_MORE). */
	if (c->recv_armed)
		shutdown(fd, SHUT_RDWR);
}

static void maybe_close(int fd)
{
	struct conn *c = &conns[fd];
	if (!(c->eof || c->failed) || c->recv_armed || c->send_inflight || c->starved)
		return;
	if (!c->failed && c->q_head >= 0) {
		start_send(fd);
		return;
	}
	drop_queue(c);
	close(fd);
	c->open = 0;
	c->gen++;
}

static void on_accept(int res, unsigned flags)
{
	if (!(flags & IORING_CQE_F_MORE))
		peer_prep_accept(PROG, &ring, listen_fd, UD_MAKE(OP_ACCEPT, 0, listen_fd));
	if (res < 0) {
		/* e.g. EMFILE: the client sees a refused or stalled connect; the server goes on. */
		fprintf(stderr, PROG ": accept: %s\n", strerror(-res));
		return;
	}
	int fd = res;
	if ((unsigned)fd >= max_conns) {
		close(fd);
		return;
	}
	peer_set_nodelay(fd);
	struct conn *c = &conns[fd];
	uint32_t gen = c->gen;
	memset(c, 0, sizeof(*c));
	c->gen = gen;
	c->open = 1;
	c->q_head = c->q_tail = -1;
	arm_recv(fd);
}

static void on_recv(int fd, int res, unsigned flags)
{
	struct conn *c = &conns[fd];
	if (res > 0) {
		unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
		bufs.free--;
		if (c->failed) {
			peer_buffer_recycle(&bufs, bid);
		} else {
			buf_len[bid] = (uint32_t)res;
			buf_next[bid] = -1;
			if (c->q_tail >= 0)
				buf_next[c->q_tail] = (int32_t)bid;
			else
				c->q_head = (int32_t)bid;
			c->q_tail = (int32_t)bid;
			if (!c->send_inflight)
				start_send(fd);
		}
	}
	if (flags & IORING_CQE_F_MORE)
		return;
	c->recv_armed = 0;
	if (res == 0) {
		c->eof = 1;
	} else if (res == -ENOBUFS) {
		/* Every buffer is queued for sending somewhere: re-arm once some came back. */
		if (!c->failed) {
			c->starved = 1;
			starved[starved_count++] = fd;
		}
	} else if (res < 0) {
		if (res != -ECONNRESET)
			fprintf(stderr, PROG ": recv: %s\n", strerror(-res));
		fail(fd);
	} else if (!c->failed) {
		/* The multishot ended with data (e.g. CQ overflow): arm a new one. */
		arm_recv(fd);
	}
	maybe_close(fd);
}

static void on_send(int fd, int res)
{
	struct conn *c = &conns[fd];
	c->send_inflight = 0;
	if (res < 0) {
		if (res != -EPIPE && res != -ECONNRESET)
			fprintf(stderr, PROG ": send: %s\n", strerror(-res));
		fail(fd);
		drop_queue(c);
		maybe_close(fd);
		return;
	}
	if (c->failed) {
		drop_queue(c);
		maybe_close(fd);
		return;
	}
	unsigned bid = (unsigned)c->q_head;
	c->head_sent += (uint32_t)res;
	if (c->head_sent == buf_len[bid]) {
		c->q_head = buf_next[bid];
		if (c->q_head < 0)
			c->q_tail = -1;
		c->head_sent = 0;
		peer_buffer_recycle(&bufs, bid);
	}
	/* A partial send leaves the head in place with head_sent advanced: the next send carries the rest. */
	if (c->q_head >= 0)
		start_send(fd);
	else
		maybe_close(fd);
}

static void rearm_starved(void)
{
	unsigned kept = 0;
	for (unsigned i = 0; i < starved_count; i++) {
		int fd = starved[i];
		struct conn *c = &conns[fd];
		if (c->failed || bufs.free == 0) {
			if (!c->failed) {
				starved[kept++] = fd;
				continue;
			}
			c->starved = 0;
			maybe_close(fd);
			continue;
		}
		c->starved = 0;
		arm_recv(fd);
	}
	starved_count = kept;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: " PROG " <port> [ipv4-address]\n");
		return 2;
	}
	int port = peer_parse_port(PROG, argv[1]);
	const char *host = argc > 2 ? argv[2] : "127.0.0.1";

	max_conns = peer_raise_nofile();
	conns = calloc(max_conns, sizeof(*conns));
	starved = calloc(max_conns, sizeof(*starved));
	if (conns == NULL || starved == NULL)
		peer_die(PROG, "calloc", -ENOMEM);

	unsigned setup_flags = peer_setup_ring(PROG, &ring, 1024, 16384);
	peer_buffers_init(PROG, &ring, &bufs, BGID, BUF_COUNT, BUF_SIZE);
	listen_fd = peer_listen(PROG, host, port);
	peer_prep_accept(PROG, &ring, listen_fd, UD_MAKE(OP_ACCEPT, 0, listen_fd));

	printf("ready echo_server host=%s port=%d recv=multishot-provided-buffers buffers=%ux%u setup_flags=0x%x\n",
	       host, port, BUF_COUNT, BUF_SIZE, setup_flags);
	fflush(stdout);

	for (;;) {
		peer_submit_and_wait(PROG, &ring);
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		io_uring_for_each_cqe(&ring, head, cqe) {
			uint64_t ud = io_uring_cqe_get_data64(cqe);
			int fd = UD_FD(ud);
			seen++;
			switch (UD_OP(ud)) {
			case OP_ACCEPT:
				on_accept(cqe->res, cqe->flags);
				break;
			case OP_RECV:
				if (UD_GEN(ud) != (conns[fd].gen & 0xffffffu))
					peer_die(PROG, "recv completion for a closed connection", -EBADF);
				on_recv(fd, cqe->res, cqe->flags);
				break;
			case OP_SEND:
				if (UD_GEN(ud) != (conns[fd].gen & 0xffffffu))
					peer_die(PROG, "send completion for a closed connection", -EBADF);
				on_send(fd, cqe->res);
				break;
			default:
				peer_die(PROG, "unknown completion", -EINVAL);
			}
		}
		io_uring_cq_advance(&ring, seen);
		peer_buffers_publish(&bufs);
		if (starved_count)
			rearm_starved();
	}
}
