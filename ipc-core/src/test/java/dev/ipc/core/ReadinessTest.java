package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A close says "not ready" first, serves calls through the readiness delay, then stops accepting.
 */
@Timeout(60)
class ReadinessTest {
  @Test
  void close_goesUnreadyFirst_servesThroughTheDelay_thenStops() throws Exception {
    TestTransport t = new TestTransport("t", 0);
    Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(t)
            .readinessDelay(Duration.ofSeconds(5))
            .start();
    assertThat(t.context.isReady()).isTrue();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    // The server turns not-ready, then tells each transport: wait for the transport to hear it.
    while (!t.events.contains("drain")) {
      Thread.onSpinWait();
    }
    // Not ready, yet still serving: a load balancer that polls readiness sends nothing new, and
    // what
    // it already sent is answered.
    assertThat(t.context.isReady()).isFalse();
    assertThat(t.events).doesNotContain("beginShutdown");
    assertThat(t.context.isClosing()).isFalse();
    assertThat(t.operation("task", "get").call(new Object[] {1L}).value())
        .isEqualTo(new Task(1, "task1"));
    closing.get(30, TimeUnit.SECONDS);
    List<String> events = List.copyOf(t.events);
    assertThat(events.indexOf("drain")).isLessThan(events.indexOf("beginShutdown"));
    assertThat(t.context.isClosing()).isTrue();
  }
}
