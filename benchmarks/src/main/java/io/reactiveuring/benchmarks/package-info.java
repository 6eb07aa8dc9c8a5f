/** JMH benchmarks of reactive-uring. */
package io.reactiveuring.benchmarks;
