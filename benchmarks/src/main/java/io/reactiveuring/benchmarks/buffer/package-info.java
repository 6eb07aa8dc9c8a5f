/**
 * JMH benchmarks of the buffer allocator: release and allocate+release cost against the number of live buffers,
 * the same against the arena-based allocator it replaced ({@code ArenaPoolBaseline}), and the cost of the sampled
 * leak detection.
 */
package io.reactiveuring.benchmarks.buffer;
