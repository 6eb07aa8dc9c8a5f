/*
 * Native io_uring NOP throughput peer for the reactive-uring benchmarks.
 *
 * Usage: nop_bench <batched|single> [ops] [inflight] [sq_entries]
 *
 * Prints one line per run, e.g.
 *   mode=batched inflight=32 ops=10000000 ns_per_op=23.4 ops_per_sec=42700000 cpu_ns_per_op=23.1 setup_flags=0x3280
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define DEFAULT_BATCHED_OPS 10000000ULL
#define DEFAULT_SINGLE_OPS 2000000ULL
#define DEFAULT_INFLIGHT 32U
#define DEFAULT_SQ_ENTRIES 256U

/* Same flag set as the Java engine, so both sides exercise the same kernel paths. */
#define PREFERRED_FLAGS                                                        \
	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |                 \
	 IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL)

static void die(const char *what, int neg_errno)
{
	fprintf(stderr, "nop_bench: %s: %s\n", what, strerror(-neg_errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nop_bench <batched|single> [ops] [inflight] [sq_entries]\n");
	exit(2);
}

static unsigned long long parse_u64(const char *s, const char *name)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || s[0] == '-') {
		fprintf(stderr, "nop_bench: invalid %s '%s'\n", name, s);
		exit(2);
	}
	return v;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime", -errno);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		die("getrusage", -errno);
	uint64_t us = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
		      (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	return us * 1000ULL;
}

static unsigned setup_ring(struct io_uring *ring, unsigned sq_entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = PREFERRED_FLAGS | IORING_SETUP_CQSIZE;
	p.cq_entries = sq_entries * 2;
	int ret = io_uring_queue_init_params(sq_entries, ring, &p);
	if (ret == -EINVAL) {
		/* Older kernels reject the task-run flags; still measure, just less optimised. */
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = sq_entries * 2;
		ret = io_uring_queue_init_params(sq_entries, ring, &p);
	}
	if (ret < 0)
		die("io_uring_queue_init_params", ret);
	return p.flags & ~IORING_SETUP_CQSIZE;
}

static void queue_nop(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	/* inflight <= sq_entries and every loop iteration submits, so a full SQ is a bug. */
	if (sqe == NULL)
		die("io_uring_get_sqe", -EBUSY);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 0);
}

static int submit_and_wait(struct io_uring *ring, unsigned wait_nr)
{
	int ret;
	do {
		ret = io_uring_submit_and_wait(ring, wait_nr);
	} while (ret == -EINTR);
	if (ret < 0)
		die("io_uring_submit_and_wait", ret);
	return ret;
}

static void run_batched(struct io_uring *ring, uint64_t ops, unsigned inflight)
{
	uint64_t issued = 0, completed = 0;

	while (issued < ops && issued < inflight) {
		queue_nop(ring);
		issued++;
	}

	while (completed < ops) {
		submit_and_wait(ring, 1);

		struct io_uring_cqe *cqe;
		unsigned head, reaped = 0;
		io_uring_for_each_cqe(ring, head, cqe) {
			if (cqe->res < 0)
				die("nop completion", cqe->res);
			reaped++;
		}
		/* One advance per batch keeps the CQ head store (and its barrier) off the per-op path. */
		io_uring_cq_advance(ring, reaped);
		completed += reaped;

		for (unsigned i = 0; i < reaped && issued < ops; i++) {
			queue_nop(ring);
			issued++;
		}
	}
}

static void run_single(struct io_uring *ring, uint64_t ops)
{
	for (uint64_t i = 0; i < ops; i++) {
		queue_nop(ring);
		submit_and_wait(ring, 1);

		struct io_uring_cqe *cqe;
		int ret = io_uring_peek_cqe(ring, &cqe);
		/* submit_and_wait(1) returned, so a missing CQE means the kernel broke its contract. */
		if (ret < 0)
			die("io_uring_peek_cqe", ret);
		if (cqe->res < 0)
			die("nop completion", cqe->res);
		io_uring_cqe_seen(ring, cqe);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 5)
		usage();

	int batched;
	if (strcmp(argv[1], "batched") == 0)
		batched = 1;
	else if (strcmp(argv[1], "single") == 0)
		batched = 0;
	else
		usage();

	uint64_t ops = batched ? DEFAULT_BATCHED_OPS : DEFAULT_SINGLE_OPS;
	unsigned inflight = batched ? DEFAULT_INFLIGHT : 1;
	unsigned sq_entries = DEFAULT_SQ_ENTRIES;

	if (argc > 2)
		ops = parse_u64(argv[2], "ops");
	if (argc > 3) {
		unsigned long long v = parse_u64(argv[3], "inflight");
		if (!batched && v != 1) {
			fprintf(stderr, "nop_bench: single mode has inflight=1\n");
			exit(2);
		}
		if (v > 65536) {
			fprintf(stderr, "nop_bench: inflight too large\n");
			exit(2);
		}
		inflight = (unsigned)v;
	}
	if (argc > 4) {
		unsigned long long v = parse_u64(argv[4], "sq_entries");
		if (v > 32768) {
			fprintf(stderr, "nop_bench: sq_entries too large\n");
			exit(2);
		}
		sq_entries = (unsigned)v;
	}
	if (inflight > sq_entries) {
		fprintf(stderr, "nop_bench: inflight (%u) exceeds sq_entries (%u)\n",
			inflight, sq_entries);
		exit(2);
	}

	struct io_uring ring;
	unsigned flags = setup_ring(&ring, sq_entries);

	/* Warm caches, branch predictors and the CPU frequency before the timed run. */
	uint64_t warmup = ops / 10 ? ops / 10 : 1;
	if (batched)
		run_batched(&ring, warmup, inflight);
	else
		run_single(&ring, warmup);

	uint64_t cpu0 = cpu_ns();
	uint64_t t0 = now_ns();
	if (batched)
		run_batched(&ring, ops, inflight);
	else
		run_single(&ring, ops);
	uint64_t t1 = now_ns();
	uint64_t cpu1 = cpu_ns();

	io_uring_queue_exit(&ring);

	double elapsed = (double)(t1 - t0);
	printf("mode=%s inflight=%u ops=%" PRIu64 " ns_per_op=%.2f ops_per_sec=%.0f "
	       "cpu_ns_per_op=%.2f sq_entries=%u setup_flags=0x%x\n",
	       batched ? "batched" : "single", inflight, ops, elapsed / (double)ops,
	       (double)ops * 1e9 / elapsed, (double)(cpu1 - cpu0) / (double)ops,
	       sq_entries, flags);
	return 0;
}
