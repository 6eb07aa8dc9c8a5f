/**
 * The file benchmark driver ({@code FileBench}, run by {@code benchmarks/run-files.sh}): random 4 KiB reads at a
 * queue depth, sequential reads and copies, through the ring and through what Reactor users do without it.
 */
package io.reactiveuring.benchmarks.file;
