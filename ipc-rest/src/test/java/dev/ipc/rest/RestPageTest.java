package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A host's own page beside the services ({@code /metrics}), and the connection count for metrics.
 */
@Timeout(60)
class RestPageTest {
  @Test
  void aPageAnswersGetWithFreshTextAndTheServicesStayReachable() throws Exception {
    AtomicInteger scrapes = new AtomicInteger();
    RestTransport rest =
        RestTransport.builder()
            .host("127.0.0.1")
            .port(0)
            .page(
                "/metrics",
                "text/plain; version=0.0.4",
                () -> "scrapes " + scrapes.incrementAndGet() + "\n")
            .build();
    try (Server server =
        Transports.builder().services(Reference.services()).transport(rest).start()) {
      HttpClient http = HttpClient.newHttpClient();
      URI base = URI.create("http://127.0.0.1:" + server.port("rest"));
      HttpResponse<String> first =
          http.send(
              HttpRequest.newBuilder(base.resolve("/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> second =
          http.send(
              HttpRequest.newBuilder(base.resolve("/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4");
      assertThat(first.body()).isEqualTo("scrapes 1\n");
      assertThat(second.body()).isEqualTo("scrapes 2\n");
      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(base.resolve("/metrics"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .header("content-type", "application/json")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
      assertThat(scrapes).hasValue(2);
      HttpResponse<String> tasks =
          http.send(
              HttpRequest.newBuilder(base.resolve("/tasks/2")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(tasks.body()).isEqualTo("{\"id\":2,\"name\":\"task2\"}");
      // The client keeps its connection open: the server counts it for ipc.server.connections.
      assertThat(server.stats().connections()).containsEntry("rest", 1);
    }
  }

  @Test
  void aPageNeedsALiteralPath() {
    assertThatThrownBy(() -> RestTransport.builder().page("/tasks/{id}", "text/plain", () -> ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("literal path");
    assertThatThrownBy(() -> RestTransport.builder().page("metrics", "text/plain", () -> ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
