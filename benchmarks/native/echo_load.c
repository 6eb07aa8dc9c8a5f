/*
 * Closed-loop TCP echo load generator, single-threaded.
 *
 * Usage: echo_load [-c conns] [-s bytes] [-d seconds] [-w warmup-seconds] [-m uring|uring-recv|epoll]
 *                  [-P server-pid] [-h host] -p port
 *
 * Each of the N connections sends a message of S bytes, waits for the complete echo, checks that the echo is
 * byte for byte the message it sent (every message carries its connection and sequence number, so a mixed-up or
 * stale echo is caught), records the round-trip time and sends the next one. After the warm-up the counters and
 * the histogram are reset and the measurement runs for the given duration. Three drivers, all on one thread:
 *   uring       (default) io_uring; one multishot recv per connection into a ring of provided buffers, armed once
 *               (the echo is copied out of the buffer, which goes straight back), and a send SQE per message
 *   uring-recv  io_uring; a send and a plain recv SQE per message, submitted together
 *   epoll       level-triggered epoll_wait, non-blocking send/recv
 * uring drives the most load from one core here (benchmarks/README.md has the comparison). With -P the server's CPU time
 * (utime + stime of every thread, from /proc/<pid>/stat) is read at the start and at the end of the measured window.
 *
 * Prints one line (key=value pairs):
 *   echo_load mode=uring conns=64 size=64 warmup_s=2 duration_s=10.000 requests=... rps=... p50_us=... p90_us=...
 *   p99_us=... p999_us=... max_us=... client_cpu_pct=... client_cpu_us_per_req=... server_cpu_pct=...
 *   server_cpu_us_per_req=... others_cpu_pct=... errors=0
 * (others_cpu_pct: what all other processes ran meanwhile, in % of one core, from /proc/stat).
 * (the server_* and others_* keys only with -P). Exits non-zero on a wrong echo, a closed or failed connection.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "latency_histogram.h"

#define PROG "echo_load"

enum { OP_SEND = 1, OP_RECV = 2 };

struct conn {
	int fd;
	uint32_t sent;     /* bytes of the current message written */
	uint32_t received; /* bytes of its echo read */
	uint64_t seq;
	uint64_t started_ns;
	unsigned char *out;
	unsigned char *in;
};

static struct conn *conns;
static unsigned nconns = 64;
static unsigned msg_size = 64;
static double duration_s = 10, warmup_s = 2;
static struct histogram hist;
static uint64_t requests;
static uint64_t phase_end_ns;
static int measuring;

static void die(const char *what, int neg_errno)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(-neg_errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t self_cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* utime + stime of all threads of `pid`, in µs; fields 14 and 15 of /proc/<pid>/stat, in clock ticks. */
static int64_t proc_cpu_us(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'. */
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	unsigned long long utime = 0, stime = 0;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	return (int64_t)((utime + stime) * 1000000ull / (unsigned long long)hz);
}

/* Busy time of all CPUs (user + nice + system + irq + softirq + steal, from the first line of /proc/stat), µs. */
static int64_t machine_busy_us(void)
{
	char buf[512];
	int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
	if (sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait, &irq,
		   &softirq, &steal) != 8)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	return (int64_t)((user + nice + sys + irq + softirq + steal) * 1000000ull / (unsigned long long)hz);
}

static void fill_message(unsigned idx)
{
	struct conn *c = &conns[idx];
	/* Connection index and sequence number up front (as far as they fit), a pattern of both after them. */
	unsigned char head[12];
	memcpy(head, &idx, 4);
	memcpy(head + 4, &c->seq, 8);
	for (unsigned i = 0; i < msg_size; i++)
		c->out[i] = i < sizeof(head) ? head[i] : (unsigned char)(idx * 31u + c->seq * 7u + i);
}

static void finish_request(unsigned idx, uint64_t now)
{
	struct conn *c = &conns[idx];
	if (memcmp(c->in, c->out, msg_size) != 0) {
		fprintf(stderr, PROG ": connection %u, message %" PRIu64 ": the echo differs from what was sent\n", idx,
			c->seq);
		exit(1);
	}
	if (measuring) {
		hist_record(&hist, now - c->started_ns);
		requests++;
	}
	c->seq++;
	c->sent = 0;
	c->received = 0;
	fill_message(idx);
	c->started_ns = now;
}

static int connect_one(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket", -errno);
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0)
		die("connect", -errno);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* ---- io_uring driver */

static struct io_uring ring;
static int multishot;
static struct io_uring_buf_ring *recv_ring;
static unsigned char *recv_bufs;
static unsigned recv_buf_count, recv_buf_size, recv_pending;
#define RECV_BGID 7

static void uring_send(unsigned idx)
{
	struct conn *c = &conns[idx];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	if (sqe == NULL)
		die("io_uring_get_sqe", -EBUSY);
	io_uring_prep_send(sqe, c->fd, c->out + c->sent, msg_size - c->sent, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, (uint64_t)idx << 8 | OP_SEND);
}

static void uring_recv(unsigned idx)
{
	struct conn *c = &conns[idx];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	if (sqe == NULL)
		die("io_uring_get_sqe", -EBUSY);
	io_uring_prep_recv(sqe, c->fd, c->in + c->received, msg_size - c->received, 0);
	io_uring_sqe_set_data64(sqe, (uint64_t)idx << 8 | OP_RECV);
}

static void uring_recv_multishot(unsigned idx)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	if (sqe == NULL)
		die("io_uring_get_sqe", -EBUSY);
	io_uring_prep_recv_multishot(sqe, conns[idx].fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = RECV_BGID;
	io_uring_sqe_set_data64(sqe, (uint64_t)idx << 8 | OP_RECV);
}

static void recv_buffer_recycle(unsigned bid)
{
	io_uring_buf_ring_add(recv_ring, recv_bufs + (size_t)bid * recv_buf_size, recv_buf_size, (unsigned short)bid,
			      io_uring_buf_ring_mask(recv_buf_count), (int)recv_pending);
	recv_pending++;
}

/* Takes a multishot recv completion's bytes into the connection's echo buffer; 0 when the echo is not complete. */
static int take_multishot(unsigned idx, int res, unsigned flags)
{
	struct conn *c = &conns[idx];
	if (!(flags & IORING_CQE_F_BUFFER))
		die("recv", -ENOBUFS);
	unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
	if (c->received + (unsigned)res > msg_size) {
		fprintf(stderr, PROG ": connection %u: the server sent more than the message it got\n", idx);
		exit(1);
	}
	memcpy(c->in + c->received, recv_bufs + (size_t)bid * recv_buf_size, (size_t)res);
	c->received += (uint32_t)res;
	recv_buffer_recycle(bid);
	return c->received == msg_size;
}

static void uring_run_phase(void)
{
	struct __kernel_timespec tick = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };
	for (;;) {
		struct io_uring_cqe *cqe;
		int ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &tick, NULL);
		if (ret < 0 && ret != -ETIME && ret != -EINTR)
			die("io_uring_submit_and_wait_timeout", ret);
		uint64_t now = now_ns();
		unsigned head, seen = 0;
		io_uring_for_each_cqe(&ring, head, cqe) {
			uint64_t ud = io_uring_cqe_get_data64(cqe);
			unsigned idx = (unsigned)(ud >> 8);
			struct conn *c = &conns[idx];
			int res = cqe->res;
			seen++;
			if (res < 0)
				die((ud & 0xff) == OP_SEND ? "send" : "recv", res);
			if ((ud & 0xff) == OP_SEND) {
				c->sent += (uint32_t)res;
				if (c->sent < msg_size) {
					uring_send(idx); /* partial send: the rest */
					continue;
				}
			} else if (multishot) {
				if (res == 0)
					die("recv", -ECONNRESET);
				int complete = take_multishot(idx, res, cqe->flags);
				if (!(cqe->flags & IORING_CQE_F_MORE))
					uring_recv_multishot(idx); /* the kernel ended it (e.g. CQ full): arm it again */
				if (!complete)
					continue;
			} else {
				if (res == 0)
					die("recv", -ECONNRESET);
				c->received += (uint32_t)res;
				if (c->received < msg_size) {
					uring_recv(idx);
					continue;
				}
			}
			/* The send's CQE normally comes first (the echo needs the bytes), but a send that completed
			 * through the kernel's poll retry may post after the echo's recv: a request ends with both. */
			if (c->sent < msg_size || c->received < msg_size)
				continue;
			finish_request(idx, now);
			uring_send(idx);
			if (!multishot)
				uring_recv(idx);
		}
		io_uring_cq_advance(&ring, seen);
		if (recv_pending) {
			io_uring_buf_ring_advance(recv_ring, (int)recv_pending);
			recv_pending = 0;
		}
		if (now >= phase_end_ns)
			return;
	}
}

static void uring_start(void)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
		  IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE;
	unsigned entries = 4;
	while (entries < nconns * 2)
		entries <<= 1;
	p.cq_entries = entries * 2;
	int ret = io_uring_queue_init_params(entries, &ring, &p);
	if (ret < 0)
		die("io_uring_queue_init_params", ret);
	io_uring_register_ring_fd(&ring);
	if (multishot) {
		/* A connection has at most one message of echo outstanding, i.e. ceil(S / buffer size) buffers if it
		 * arrives in full buffers; four times that leaves room for an echo that arrives in small pieces. */
		recv_buf_size = msg_size < 4096 ? msg_size : 4096;
		unsigned long need = 4ul * nconns * ((msg_size + recv_buf_size - 1) / recv_buf_size);
		if (need > 32768)
			die("too many connections x message size for one buffer ring (use -m uring-recv)", -ENOBUFS);
		recv_buf_count = 256;
		while (recv_buf_count < need)
			recv_buf_count <<= 1;
		size_t ring_bytes = (size_t)recv_buf_count * sizeof(struct io_uring_buf);
		void *mem = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		recv_bufs = malloc((size_t)recv_buf_count * recv_buf_size);
		if (mem == MAP_FAILED || recv_bufs == NULL)
			die("buffer ring memory", -ENOMEM);
		recv_ring = mem;
		io_uring_buf_ring_init(recv_ring);
		struct io_uring_buf_reg reg;
		memset(&reg, 0, sizeof(reg));
		reg.ring_addr = (unsigned long)recv_ring;
		reg.ring_entries = recv_buf_count;
		reg.bgid = RECV_BGID;
		ret = io_uring_register_buf_ring(&ring, &reg, 0);
		if (ret < 0)
			die("io_uring_register_buf_ring (use -m uring-recv before Linux 5.19)", ret);
		for (unsigned i = 0; i < recv_buf_count; i++)
			recv_buffer_recycle(i);
		io_uring_buf_ring_advance(recv_ring, (int)recv_pending);
		recv_pending = 0;
	}
	uint64_t now = now_ns();
	for (unsigned i = 0; i < nconns; i++) {
		conns[i].started_ns = now;
		uring_send(i);
		if (multishot)
			uring_recv_multishot(i);
		else
			uring_recv(i);
	}
}

/* ---- epoll driver */

static int epfd;

static void epoll_write(unsigned idx)
{
	struct conn *c = &conns[idx];
	while (c->sent < msg_size) {
		ssize_t n = send(c->fd, c->out + c->sent, msg_size - c->sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN) {
				/* Socket buffer full: finish when it is writable again. */
				struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u32 = idx };
				if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
					die("epoll_ctl", -errno);
				return;
			}
			die("send", -errno);
		}
		c->sent += (uint32_t)n;
	}
}

static void epoll_read(unsigned idx, uint64_t now)
{
	struct conn *c = &conns[idx];
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->received, msg_size - c->received, 0);
		if (n < 0) {
			if (errno == EAGAIN)
				return;
			die("recv", -errno);
		}
		if (n == 0)
			die("recv", -ECONNRESET);
		c->received += (uint32_t)n;
		if (c->received == msg_size) {
			finish_request(idx, now);
			epoll_write(idx);
			return;
		}
	}
}

static void epoll_run_phase(void)
{
	struct epoll_event events[512];
	for (;;) {
		int n = epoll_wait(epfd, events, 512, 100);
		if (n < 0 && errno != EINTR)
			die("epoll_wait", -errno);
		uint64_t now = now_ns();
		for (int i = 0; i < n; i++) {
			unsigned idx = events[i].data.u32;
			if (events[i].events & EPOLLOUT) {
				struct epoll_event ev = { .events = EPOLLIN, .data.u32 = idx };
				if (epoll_ctl(epfd, EPOLL_CTL_MOD, conns[idx].fd, &ev) != 0)
					die("epoll_ctl", -errno);
				epoll_write(idx);
			}
			if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				epoll_read(idx, now);
		}
		if (now >= phase_end_ns)
			return;
	}
}

static void epoll_start(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1", -errno);
	uint64_t now = now_ns();
	for (unsigned i = 0; i < nconns; i++) {
		int fl = fcntl(conns[i].fd, F_GETFL);
		fcntl(conns[i].fd, F_SETFL, fl | O_NONBLOCK);
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, conns[i].fd, &ev) != 0)
			die("epoll_ctl", -errno);
		conns[i].started_ns = now;
		epoll_write(i);
	}
}

static double parse_number(const char *s, const char *name, double min)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || !(v >= min)) {
		fprintf(stderr, PROG ": invalid %s '%s'\n", name, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1";
	const char *mode = "uring";
	int port = 0, server_pid = 0, opt;
	while ((opt = getopt(argc, argv, "c:s:d:w:m:P:h:p:")) != -1) {
		switch (opt) {
		case 'c': nconns = (unsigned)parse_number(optarg, "connection count", 1); break;
		case 's': msg_size = (unsigned)parse_number(optarg, "message size", 1); break;
		case 'd': duration_s = parse_number(optarg, "duration", 0.1); break;
		case 'w': warmup_s = parse_number(optarg, "warm-up", 0); break;
		case 'm': mode = optarg; break;
		case 'P': server_pid = (int)parse_number(optarg, "server pid", 1); break;
		case 'h': host = optarg; break;
		case 'p': port = (int)parse_number(optarg, "port", 1); break;
		default:
			fprintf(stderr, "usage: " PROG " [-c conns] [-s bytes] [-d seconds] [-w warmup-seconds] "
					"[-m uring|uring-recv|epoll] [-P server-pid] [-h host] -p port\n");
			return 2;
		}
	}
	multishot = strcmp(mode, "uring") == 0;
	int use_uring = multishot || strcmp(mode, "uring-recv") == 0;
	if (port <= 0 || port > 65535 || (!use_uring && strcmp(mode, "epoll") != 0) || msg_size > (1u << 20) ||
	    nconns > 100000) {
		fprintf(stderr, PROG ": need -p port (1-65535), -m uring|uring-recv|epoll, -s <= 1 MiB, -c <= 100000\n");
		return 2;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, PROG ": invalid IPv4 address '%s'\n", host);
		return 2;
	}
	conns = calloc(nconns, sizeof(*conns));
	unsigned char *mem = malloc((size_t)nconns * msg_size * 2);
	if (conns == NULL || mem == NULL)
		die("malloc", -ENOMEM);
	for (unsigned i = 0; i < nconns; i++) {
		conns[i].fd = connect_one(&addr);
		conns[i].out = mem + (size_t)i * msg_size * 2;
		conns[i].in = conns[i].out + msg_size;
		fill_message(i);
	}

	uint64_t t0 = now_ns();
	phase_end_ns = t0 + (uint64_t)(warmup_s * 1e9);
	if (use_uring)
		uring_start();
	else
		epoll_start();
	if (warmup_s > 0) {
		if (use_uring)
			uring_run_phase();
		else
			epoll_run_phase();
	}

	/* The measured window: counters and histogram from zero, CPU times read at both ends. */
	hist_reset(&hist);
	requests = 0;
	measuring = 1;
	int64_t server_cpu0 = server_pid ? proc_cpu_us(server_pid) : -1;
	int64_t machine0 = machine_busy_us();
	uint64_t cpu0 = self_cpu_us();
	uint64_t start = now_ns();
	phase_end_ns = start + (uint64_t)(duration_s * 1e9);
	if (use_uring)
		uring_run_phase();
	else
		epoll_run_phase();
	uint64_t end = now_ns();
	uint64_t cpu1 = self_cpu_us();
	int64_t machine1 = machine_busy_us();
	int64_t server_cpu1 = server_pid ? proc_cpu_us(server_pid) : -1;

	double wall_us = (double)(end - start) / 1000.0;
	printf("echo_load mode=%s conns=%u size=%u warmup_s=%g duration_s=%.3f requests=%" PRIu64
	       " rps=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f client_cpu_pct=%.1f"
	       " client_cpu_us_per_req=%.3f",
	       mode, nconns, msg_size, warmup_s, wall_us / 1e6, requests, (double)requests * 1e6 / wall_us,
	       hist_percentile(&hist, 50) / 1000.0, hist_percentile(&hist, 90) / 1000.0,
	       hist_percentile(&hist, 99) / 1000.0, hist_percentile(&hist, 99.9) / 1000.0, hist.max / 1000.0,
	       100.0 * (double)(cpu1 - cpu0) / wall_us, requests ? (double)(cpu1 - cpu0) / (double)requests : 0.0);
	if (server_pid) {
		if (server_cpu0 < 0 || server_cpu1 < 0)
			die("reading /proc/<server-pid>/stat", -ESRCH);
		double server_us = (double)(server_cpu1 - server_cpu0);
		printf(" server_cpu_pct=%.1f server_cpu_us_per_req=%.3f", 100.0 * server_us / wall_us,
		       requests ? server_us / (double)requests : 0.0);
		/* What the rest of the machine ran meanwhile (in % of one core): other processes preempting either
		 * side make a run worth little. Clock-tick resolution, so a few % either way is noise. */
		if (machine0 >= 0 && machine1 >= 0)
			printf(" others_cpu_pct=%.1f",
			       100.0 * ((double)(machine1 - machine0) - server_us - (double)(cpu1 - cpu0)) / wall_us);
	}
	printf(" errors=0\n");
	return 0;
}
