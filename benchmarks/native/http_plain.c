/*
 * HTTP/1.1 keep-alive "plaintext" responder, single-threaded, liburing: the ceiling for the HTTP benchmark.
 *
 * Usage: http_plain <port> [ipv4-address (default 127.0.0.1)]
 *
 * Every complete request head (bytes up to and including "\r\n\r\n") is answered, in order, with exactly
 *   HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\nDate: <IMF-fixdate>\r\n\r\nHello, World!
 * whatever the method or path: this is a ceiling, not a server. Requests may be pipelined (several heads in one
 * read: one send answers all of them) or split across reads (the scan for "\r\n\r\n" carries its state from one
 * read to the next). Request bodies are not supported (a benchmark GET has none). The Date value is rebuilt
 * when the wall-clock second changes, checked once per event-loop iteration, i.e. refreshed once per second
 * while requests arrive.
 *
 * Same machinery as echo_server.c: one multishot accept, a multishot recv per connection into a shared ring of
 * provided buffers (returned as soon as they are scanned), at most one send in flight per connection from a
 * per-connection response buffer (answers for requests that arrive meanwhile are counted and sent next).
 *
 * Prints one line when it listens and nothing per connection; runs until killed (SIGTERM).
 */
#include "peer_common.h"

#include <time.h>

#define PROG "http_plain"
#define BGID 0
#define BUF_COUNT 4096 /* power of two */
#define BUF_SIZE 4096
#define MAX_BATCH 64 /* responses per send */

enum { OP_ACCEPT = 1, OP_RECV, OP_SEND };

struct conn {
	uint32_t gen;
	uint8_t open;
	uint8_t recv_armed;
	uint8_t send_inflight;
	uint8_t eof;
	uint8_t failed;
	uint8_t starved;
	uint8_t matched;      /* how much of "\r\n\r\n" the last bytes scanned end with */
	uint32_t owed;        /* complete requests not yet answered */
	uint32_t out_len;     /* bytes in out (the send in flight) */
	uint32_t out_sent;
	unsigned char *out;   /* MAX_BATCH responses, allocated at the first request */
};

static struct io_uring ring;
static struct peer_buffers bufs;
static struct conn *conns;
static unsigned max_conns;
static int *starved;
static unsigned starved_count;
static int listen_fd;

static char response[256];
static size_t response_len;
static time_t response_second = -1;

static void refresh_response(void)
{
	time_t now = time(NULL);
	if (now == response_second)
		return;
	response_second = now;
	struct tm tm;
	gmtime_r(&now, &tm);
	char date[64];
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm); /* IMF-fixdate (RFC 9110 5.6.7), C locale */
	response_len = (size_t)snprintf(response, sizeof(response),
					"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n"
					"Date: %s\r\n\r\nHello, World!",
					date);
}

static void arm_recv(int fd)
{
	struct conn *c = &conns[fd];
	peer_prep_recv_multishot(PROG, &ring, &bufs, fd, UD_MAKE(OP_RECV, c->gen, fd));
	c->recv_armed = 1;
}

static void issue_send(int fd)
{
	struct conn *c = &conns[fd];
	struct io_uring_sqe *sqe = peer_get_sqe(PROG, &ring);
	io_uring_prep_send(sqe, fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, UD_MAKE(OP_SEND, c->gen, fd));
	c->send_inflight = 1;
}

/* Starts a send of the answers owed (up to MAX_BATCH of them), copied so that a Date refresh cannot tear them. */
static void answer(int fd)
{
	struct conn *c = &conns[fd];
	if (c->out == NULL) {
		c->out = malloc(MAX_BATCH * sizeof(response));
		if (c->out == NULL)
			peer_die(PROG, "malloc", -ENOMEM);
	}
	unsigned n = c->owed < MAX_BATCH ? c->owed : MAX_BATCH;
	for (unsigned i = 0; i < n; i++)
		memcpy(c->out + (size_t)i * response_len, response, response_len);
	c->owed -= n;
	c->out_len = (uint32_t)(n * response_len);
	c->out_sent = 0;
	issue_send(fd);
}

/* Counts the request heads completed in [p, end), carrying the partial "\r\n\r\n" match across calls. */
static unsigned count_heads(struct conn *c, const unsigned char *p, const unsigned char *end)
{
	static const unsigned char terminator[4] = { '\r', '\n', '\r', '\n' };
	unsigned heads = 0, m = c->matched;
	while (p < end) {
		if (m == 0) {
			p = memchr(p, '\r', (size_t)(end - p));
			if (p == NULL)
				break;
		}
		unsigned char ch = *p++;
		if (ch == terminator[m]) {
			if (++m == 4) {
				heads++;
				m = 0;
			}
		} else {
			/* The only proper prefix of the terminator that can restart here is a lone "\r". */
			m = ch == '\r' ? 1 : 0;
		}
	}
	c->matched = (uint8_t)m;
	return heads;
}

static void fail(int fd)
{
	struct conn *c = &conns[fd];
	if (c->failed)
		return;
	c->failed = 1;
	c->owed = 0;
	if (c->recv_armed)
		shutdown(fd, SHUT_RDWR);
}

static void maybe_close(int fd)
{
	struct conn *c = &conns[fd];
	if (!(c->eof || c->failed) || c->recv_armed || c->send_inflight || c->starved)
		return;
	if (!c->failed && c->owed) {
		answer(fd);
		return;
	}
	close(fd);
	free(c->out);
	c->out = NULL;
	c->open = 0;
	c->gen++;
}

static void on_accept(int res, unsigned flags)
{
	if (!(flags & IORING_CQE_F_MORE))
		peer_prep_accept(PROG, &ring, listen_fd, UD_MAKE(OP_ACCEPT, 0, listen_fd));
	if (res < 0) {
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
	arm_recv(fd);
}

static void on_recv(int fd, int res, unsigned flags)
{
	struct conn *c = &conns[fd];
	if (res > 0) {
		unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
		bufs.free--;
		if (!c->failed) {
			const unsigned char *data = peer_buffer(&bufs, bid);
			c->owed += count_heads(c, data, data + res);
		}
		/* Nothing of a request is kept beyond the scan state, so the buffer goes back at once. */
		peer_buffer_recycle(&bufs, bid);
		if (c->owed && !c->send_inflight)
			answer(fd);
	}
	if (flags & IORING_CQE_F_MORE)
		return;
	c->recv_armed = 0;
	if (res == 0) {
		c->eof = 1;
	} else if (res == -ENOBUFS) {
		if (!c->failed) {
			c->starved = 1;
			starved[starved_count++] = fd;
		}
	} else if (res < 0) {
		if (res != -ECONNRESET)
			fprintf(stderr, PROG ": recv: %s\n", strerror(-res));
		fail(fd);
	} else if (!c->failed) {
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
		maybe_close(fd);
		return;
	}
	if (c->failed) {
		maybe_close(fd);
		return;
	}
	c->out_sent += (uint32_t)res;
	if (c->out_sent < c->out_len)
		issue_send(fd); /* partial send: the rest */
	else if (c->owed)
		answer(fd);
	else
		maybe_close(fd);
}

static void rearm_starved(void)
{
	unsigned kept = 0;
	for (unsigned i = 0; i < starved_count; i++) {
		int fd = starved[i];
		struct conn *c = &conns[fd];
		if (!c->failed && bufs.free == 0) {
			starved[kept++] = fd;
			continue;
		}
		c->starved = 0;
		if (c->failed)
			maybe_close(fd);
		else
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

	refresh_response();
	unsigned setup_flags = peer_setup_ring(PROG, &ring, 1024, 16384);
	peer_buffers_init(PROG, &ring, &bufs, BGID, BUF_COUNT, BUF_SIZE);
	listen_fd = peer_listen(PROG, host, port);
	peer_prep_accept(PROG, &ring, listen_fd, UD_MAKE(OP_ACCEPT, 0, listen_fd));

	printf("ready http_plain host=%s port=%d recv=multishot-provided-buffers setup_flags=0x%x\n", host, port,
	       setup_flags);
	fflush(stdout);

	for (;;) {
		peer_submit_and_wait(PROG, &ring);
		refresh_response();
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
