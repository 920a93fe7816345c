package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.model.Reply;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.testing.HeldDating;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Core's load shedding: a flooding caller is limited while another is served. */
@Timeout(60)
class LimitsTest {
  private static CallSource from(String ip) {
    return CallSource.of("test", new InetSocketAddress(ip, 4000), Metadata.EMPTY);
  }

  @Test
  void rate_limitsAFloodingCaller_notTheOthers() {
    TestTransport t = new TestTransport("t", 0);
    try (Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(t)
            .interceptor(Limits.rate(0.001, 3))
            .start()) {
      AtomicReference<Metadata> answered = new AtomicReference<>();
      for (int i = 0; i < 3; i++) {
        Reply r = t.operation("task", "list").call(new Object[0], from("10.0.0.1"), answered::set);
        assertThat(r.value()).asList().hasSize(3);
      }
      assertThatThrownBy(
              () ->
                  t.operation("task", "list").call(new Object[0], from("10.0.0.1"), answered::set))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
      assertThat(Long.parseLong(answered.get().get("retry-after"))).isPositive();
      // Another address has its own bucket.
      assertThat(t.operation("task", "list").call(new Object[0], from("10.0.0.2"), m -> {}).value())
          .asList()
          .hasSize(3);
      assertThat(server.port("t")).isPositive();
    }
  }

  @Test
  void inFlight_refusesPastTheCapAtOnce_andFreesPermits() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestTransport t = new TestTransport("t", 0);
    try (Server server =
        Transports.builder()
            .service(HeldDating.of(entered, release))
            .transport(t)
            .interceptor(Limits.inFlight(1))
            .start()) {
      CompletableFuture<Reply> held =
          CompletableFuture.supplyAsync(
              () -> t.operation("dating", "eating").call(new Eat("slow")));
      assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
      AtomicReference<Metadata> answered = new AtomicReference<>();
      assertThatThrownBy(
              () ->
                  t.operation("dating", "watchMovie")
                      .call(new Movie("m"), from("10.0.0.3"), answered::set))
          .isInstanceOfSatisfying(
              ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
      assertThat(answered.get().get("retry-after")).isEqualTo("1");
      release.countDown();
      assertThat(held.get(20, TimeUnit.SECONDS).value()).isEqualTo(new Feel(true));
      assertThat(t.operation("dating", "watchMovie").call(new Movie("m")).value())
          .isEqualTo(new Feel(true));
      assertThat(server.port("t")).isPositive();
    }
    assertThatThrownBy(() -> Limits.inFlight(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Limits.rate(0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
