package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * /healthz and /readyz as a load balancer polls them: /readyz goes 503 as soon as a close begins,
 * while calls are still answered through the readiness delay; only then does the port stop
 * accepting.
 */
@Timeout(60)
class ReadinessTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyz_goesDownAtClose_beforeThePortStopsServing() throws Exception {
    Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(RestTransport.builder().host("127.0.0.1").port(0).build())
            .readinessDelay(Duration.ofSeconds(5))
            .start();
    int port = server.port("rest");
    assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get(port, "/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}");

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    HttpResponse<String> poll = get(port, "/readyz");
    while (poll.statusCode() == 200) {
      poll = get(port, "/readyz");
    }
    assertThat(poll.statusCode()).isEqualTo(503);
    assertThat(poll.body()).isEqualTo("{\"status\":\"DOWN\"}");
    assertThat(poll.headers().firstValue("retry-after")).contains("1");
    // What a load balancer sent before it saw "down" is still answered.
    assertThat(get(port, "/tasks/1").statusCode()).isEqualTo(200);
    assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);

    closing.get(30, TimeUnit.SECONDS);
    assertThatThrownBy(() -> get(port, "/readyz")).isInstanceOf(IOException.class);
  }
}
