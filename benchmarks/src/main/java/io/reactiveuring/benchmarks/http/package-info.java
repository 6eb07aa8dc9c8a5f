/** JMH benchmarks of the HTTP/1.1 codec (decode and encode, no I/O). */
package io.reactiveuring.benchmarks.http;
