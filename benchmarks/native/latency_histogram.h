/*
 * A log-linear latency histogram in the manner of HdrHistogram: values below 128 have a bucket each, above that
 * every power-of-two range [2^k, 2^(k+1)) is split into 64 equal buckets, so a recorded value is known to within
 * 1/64 (1.6 %) of itself. Percentiles report the highest value of the bucket they fall in (as HdrHistogram's
 * "highest equivalent value" does); the maximum is exact. Values are nanoseconds here, but any unit works.
 */
#ifndef LATENCY_HISTOGRAM_H
#define LATENCY_HISTOGRAM_H

#include <stdint.h>
#include <string.h>

#define HIST_SUB_BITS 6u                      /* 64 buckets per power of two above 128 */
#define HIST_LINEAR (2u << HIST_SUB_BITS)     /* 128 values counted exactly */
#define HIST_BUCKETS ((64u - HIST_SUB_BITS) * (1u << HIST_SUB_BITS) + HIST_LINEAR)

struct histogram {
	uint64_t counts[HIST_BUCKETS];
	uint64_t total;
	uint64_t max;
};

static inline unsigned hist_index(uint64_t v)
{
	if (v < HIST_LINEAR)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - HIST_SUB_BITS;          /* >= 1 */
	unsigned top = (unsigned)(v >> shift);         /* in [64, 128) */
	return shift * (1u << HIST_SUB_BITS) + top;    /* continuous with the linear part: 128 -> 128 */
}

static inline uint64_t hist_highest_in_bucket(unsigned idx)
{
	if (idx < HIST_LINEAR)
		return idx;
	unsigned shift = idx / (1u << HIST_SUB_BITS) - 1u;
	uint64_t top = idx % (1u << HIST_SUB_BITS) + (1u << HIST_SUB_BITS);
	return ((top + 1u) << shift) - 1u;
}

static inline void hist_reset(struct histogram *h)
{
	memset(h, 0, sizeof(*h));
}

static inline void hist_record(struct histogram *h, uint64_t v)
{
	h->counts[hist_index(v)]++;
	h->total++;
	if (v > h->max)
		h->max = v;
}

/* The smallest recorded bucket value such that at least `percentile` % of all values are <= it. */
static inline uint64_t hist_percentile(const struct histogram *h, double percentile)
{
	if (h->total == 0)
		return 0;
	uint64_t want = (uint64_t)((double)h->total * percentile / 100.0 + 0.5);
	if (want < 1)
		want = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= want) {
			uint64_t v = hist_highest_in_bucket(i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}

#endif
