package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.spi.CallSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call past its deadline is interrupted and answered DEADLINE_EXCEEDED, on every transport alike.
 */
@Timeout(60)
class DeadlineTest {
  private final AtomicBoolean interrupted = new AtomicBoolean();
  private final CountDownLatch never = new CountDownLatch(1);

  /** A Dating service whose eating blocks until interrupted. */
  private DatingService blocking() {
    return new DatingService() {
      @Override
      public Feel eating(Eat eat) {
        try {
          never.await();
          return new Feel(true);
        } catch (InterruptedException e) {
          interrupted.set(true);
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }

      @Override
      public Feel watchMovie(Movie movie) {
        return new Feel(CallContext.current().deadline().isPresent());
      }
    };
  }

  private static void assertDeadlineExceeded(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ServiceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED));
  }

  @Test
  void callerDeadline_interruptsTheServiceAndLeavesNoInterruptBehind() {
    TestTransport t = new TestTransport("t", 0);
    try (Server server = Transports.serve(List.of(blocking()), t)) {
      CallSource soon = CallSource.of("test").withDeadline(Instant.now().plusMillis(200));
      assertDeadlineExceeded(
          () -> t.operation("dating", "eating").call(new Eat("x"), soon, m -> {}));
      assertThat(interrupted).isTrue();
      // The call ran on this thread: its interrupt must not outlive the call.
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
      // The service sees the deadline; a call within it answers normally.
      CallSource later = CallSource.of("test").withDeadline(Instant.now().plusSeconds(30));
      assertThat(t.operation("dating", "watchMovie").call(new Movie("m"), later, m -> {}).value())
          .isEqualTo(new Feel(true));
      assertThat(server.port("t")).isPositive();
    }
  }

  @Test
  void pastDeadline_isRefusedBeforeTheServiceRuns() {
    TestTransport t = new TestTransport("t", 0);
    try (Server server = Transports.serve(List.of(blocking()), t)) {
      CallSource gone = CallSource.of("test").withDeadline(Instant.now().minusSeconds(1));
      assertDeadlineExceeded(
          () -> t.operation("dating", "eating").call(new Eat("x"), gone, m -> {}));
      assertThat(interrupted).isFalse();
      assertThat(server.port("t")).isPositive();
    }
  }

  @Test
  void serverCallTimeout_boundsCallsWithoutADeadline() throws Exception {
    TestTransport t = new TestTransport("t", 0);
    try (Server server =
        Transports.builder()
            .service(blocking())
            .transport(t)
            .callTimeout(Duration.ofMillis(200))
            .start()) {
      assertDeadlineExceeded(() -> t.operation("dating", "eating").call(new Eat("x")));
      assertThat(interrupted).isTrue();
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
      assertThat(never.await(0, TimeUnit.SECONDS)).isFalse();
      assertThat(server.port("t")).isPositive();
    }
    assertThatThrownBy(() -> Transports.builder().callTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
