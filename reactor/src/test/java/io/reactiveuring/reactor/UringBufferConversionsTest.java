package io.reactiveuring.reactor;

import io.reactiveuring.core.buffer.UringBuffer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.reactiveuring.reactor.Fixtures.TIMEOUT;
import static org.junit.jupiter.api.Assertions.*;

/** The releasing conversions: the caller gets text or bytes and never has to release a buffer itself. */
class UringBufferConversionsTest extends CatalogueTestBase {

    private Flux<UringBuffer> chunks(String... parts) {
        return Flux.fromArray(parts).map(p -> allocator.copyOf(p.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aReadBecomesTextInOneStepAndItsBufferIsReleased(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("hello.txt");
        Files.writeString(file, "grüße");
        int fd = fx.open(ring, file, Fixtures.O_RDONLY);
        StepVerifier.create(UringBufferMono.of(ring.read(fd, 64, 0)).asString())
                .expectNext("grüße").expectComplete().verify(TIMEOUT);
        StepVerifier.create(UringBufferMono.of(ring.read(fd, 64, 0)).asByteArray())
                .assertNext(b -> assertArrayEquals("grüße".getBytes(StandardCharsets.UTF_8), b))
                .expectComplete().verify(TIMEOUT);
        assertEquals(0, allocator.liveBuffers());
    }

    @Test
    void aConversionThatThrowsStillReleasesTheBuffer() {
        StepVerifier.create(UringBufferMono.of(Mono.fromSupplier(() -> allocator.copyOf(new byte[] {1})))
                        .releasing(b -> {
                            throw new IllegalStateException("boom");
                        }))
                .expectErrorMessage("boom").verify(TIMEOUT);
        assertEquals(0, allocator.liveBuffers());
    }

    @Test
    void linesAreWholeAcrossChunksAndMultiByteCharactersSurviveAggregation() {
        StepVerifier.create(UringBufferFlux.of(chunks("one\r\ntw", "o\nthr", "ee")).asLines(StandardCharsets.UTF_8))
                .expectNext("one", "two", "three").expectComplete().verify(TIMEOUT);
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // three bytes, split across two buffers below
        Flux<UringBuffer> split = Flux.just(allocator.copyOf(new byte[] {euro[0]}),
                allocator.copyOf(new byte[] {euro[1], euro[2]}));
        StepVerifier.create(UringBufferFlux.of(split).aggregateAsString(StandardCharsets.UTF_8))
                .expectNext("€").expectComplete().verify(TIMEOUT);
        StepVerifier.create(UringBufferFlux.of(chunks("a", "b")).asString(StandardCharsets.UTF_8).collectList())
                .expectNext(List.of("a", "b")).expectComplete().verify(TIMEOUT);
        assertEquals(0, allocator.liveBuffers(), "every chunk released");
    }

    @Test
    void buffersQueuedWhenTheSubscriberCancelsAreReleased() {
        StepVerifier.create(UringBufferFlux.of(chunks("1", "2", "3", "4")).asString(StandardCharsets.UTF_8), 1)
                .expectNext("1")
                .thenCancel()
                .verify(TIMEOUT);
        // Flux.fromArray produces lazily: what was never pulled is never allocated; nothing is left live
        assertEquals(0, allocator.liveBuffers());
    }
}
