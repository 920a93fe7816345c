package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.CallContext;
import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client's timeout reaches the service as its call's deadline on gRPC (grpc-timeout), REST,
 * GraphQL ({@code Connect-Timeout-Ms}) and Socket.IO (the same name in the call's metadata object),
 * and a call past it is interrupted on the server: nobody waits for it any more, so it must not
 * hold a thread.
 */
@Timeout(60)
class ClientDeadlinesTest {
  /** Sleeps in {@code eating} until interrupted, saying what deadline its call had. */
  static final class Sleeper implements DatingService {
    final AtomicReference<Instant> deadline = new AtomicReference<>();
    final CountDownLatch interrupted = new CountDownLatch(1);

    @Override
    public Feel eating(Eat eat) {
      deadline.set(CallContext.current().deadline().orElse(null));
      try {
        Thread.sleep(30_000);
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw new IllegalStateException("interrupted");
      }
      return new Feel(true);
    }

    @Override
    public Feel watchMovie(Movie movie) {
      return new Feel(true);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"grpc", "rest", "graphql", "socketio"})
  void aClientsTimeoutIsTheCallsDeadlineAndInterruptsTheService(String protocol) throws Exception {
    Sleeper sleeper = new Sleeper();
    try (Server server =
            Transports.builder().service(sleeper).transport(protocol + "://127.0.0.1:0").start();
        Client client =
            Transports.connect(
                protocol + "://127.0.0.1:" + server.port(protocol) + "?timeout=400ms")) {
      DatingService dating = client.service(DatingService.class);
      // A first call connects and loads classes: on a cold JVM that alone can outlast 400 ms, and a
      // call whose deadline passed before it started never reaches the service.
      assertThat(dating.watchMovie(new Movie("warm-up")).feeling()).isTrue();
      Instant before = Instant.now();
      assertThatThrownBy(() -> dating.eating(new Eat("slow"))).isInstanceOf(RuntimeException.class);
      assertThat(sleeper.interrupted.await(20, TimeUnit.SECONDS))
          .as(() -> "service interrupted; deadline " + sleeper.deadline.get() + " after " + before)
          .isTrue();
      assertThat(sleeper.deadline.get()).as("deadline seen").isNotNull();
      assertThat(sleeper.deadline.get()).isBetween(before, before.plusSeconds(5));
    }
  }

  /** POSTs {@code json} with a {@code Connect-Timeout-Ms} header and returns the answer. */
  private static HttpResponse<String> post(String url, String timeout, String json)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("Connect-Timeout-Ms", timeout)
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aMalformedTimeoutHeaderIsABadRequest() throws Exception {
    try (Server server =
        Transports.builder()
            .service(new Sleeper())
            .transport("rest://127.0.0.1:0")
            .transport("graphql://127.0.0.1:0")
            .start()) {
      String rest = "http://127.0.0.1:" + server.port("rest") + "/dating/watch-movie";
      String graphql = "http://127.0.0.1:" + server.port("graphql") + "/graphql";
      HttpResponse<String> badRest = post(rest, "soon", "{\"film\":\"x\"}");
      assertThat(badRest.statusCode()).isEqualTo(400);
      assertThat(badRest.body()).contains("connect-timeout-ms");
      HttpResponse<String> badGraphql =
          post(
              graphql,
              "-5",
              "{\"query\":\"mutation { watchMovie(film: \\\"x\\\") { feeling } }\"}");
      assertThat(badGraphql.statusCode()).isEqualTo(400);
      assertThat(badGraphql.body()).contains("connect-timeout-ms");
      // A good one is a deadline like any other: a quick call is unaffected.
      assertThat(post(rest, "5000", "{\"film\":\"x\"}").statusCode()).isEqualTo(200);
    }
  }

  @Test
  @Interop
  void aDeadlinePassedOverCurlEndsTheCallWith504() throws Exception {
    Sleeper sleeper = new Sleeper();
    try (Server server =
        Transports.builder().service(sleeper).transport("rest://127.0.0.1:0").start()) {
      Process curl =
          new ProcessBuilder(
                  "curl",
                  "-sS",
                  "--max-time",
                  "20",
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{http_code}",
                  "-H",
                  "Content-Type: application/json",
                  "-H",
                  "Connect-Timeout-Ms: 300",
                  "-d",
                  "{\"food\":\"soup\"}",
                  "http://127.0.0.1:" + server.port("rest") + "/dating/eating")
              .redirectErrorStream(true)
              .start();
      String status = new String(curl.getInputStream().readAllBytes()).trim();
      assertThat(curl.waitFor()).isZero();
      assertThat(status).isEqualTo("504");
      assertThat(sleeper.interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
