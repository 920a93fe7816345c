package dev.ipc.graphql;

import static dev.ipc.graphql.GraphqlNodeClientTest.awaitOpenStreams;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GraphQL over Server-Sent Events (distinct connections) with the JDK's HTTP client: a
 * subscription's events, closing the response ends the stream on the server, GET for subscriptions,
 * a request error as one {@code next} with its errors, a mutation over GET refused.
 */
@Timeout(60)
class GraphqlSseTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static Server serve() {
    return Transports.builder()
        .services(Reference.services())
        .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
        .start();
  }

  private static HttpResponse<InputStream> post(Server server, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port("graphql") + "/graphql"))
            .header("Accept", "text/event-stream")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  /**
   * Reads events ({@code event} and {@code data} lines joined) until {@code n} arrived or the end.
   */
  private static List<String> events(BufferedReader in, int n) throws Exception {
    List<String> events = new ArrayList<>();
    StringBuilder event = new StringBuilder();
    String line;
    while (events.size() < n && (line = in.readLine()) != null) {
      if (line.isEmpty()) {
        if (!event.isEmpty()) {
          events.add(event.toString());
          event.setLength(0);
        }
      } else if (!line.startsWith(":")) {
        event.append(event.isEmpty() ? "" : "|").append(line);
      }
    }
    return events;
  }

  @Test
  void subscription_streamsNextEvents_andClosingTheResponseEndsIt() throws Exception {
    try (Server server = serve();
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      HttpResponse<InputStream> response =
          post(server, "{\"query\":\"subscription { taskSaved(fromId: 2) { id name } }\"}");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/event-stream");
      awaitOpenStreams(server, 1);
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      tasks.put(new Task(1, "one"));
      tasks.put(new Task(2, "two"));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
      assertThat(events(in, 1))
          .containsExactly(
              "event: next|data: {\"data\":{\"taskSaved\":{\"id\":2,\"name\":\"two\"}}}");
      in.close();
      awaitOpenStreams(server, 0);
    }
  }

  @Test
  void get_servesSubscriptionsToo_andServerCloseSendsComplete() throws Exception {
    Server server = serve();
    try {
      String query = URLEncoder.encode("subscription { taskSaved { id } }", StandardCharsets.UTF_8);
      HttpResponse<InputStream> response =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:" + server.port("graphql") + "/graphql?query=" + query))
                  .header("Accept", "text/event-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      awaitOpenStreams(server, 1);
      server.close();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
      assertThat(events(in, 10)).containsExactly("event: complete|data: ");
      assertThat(server.openStreams()).isZero();
    } finally {
      server.close();
    }
  }

  @Test
  void requestErrors_areOneNextWithErrors_thenComplete() throws Exception {
    try (Server server = serve()) {
      HttpResponse<InputStream> response = post(server, "{\"query\":\"subscription { nope }\"}");
      assertThat(response.statusCode()).isEqualTo(200);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
      List<String> events = events(in, 10);
      assertThat(events).hasSize(2);
      assertThat(events.get(0))
          .startsWith("event: next|data: {\"errors\":[")
          .contains("\"code\":\"INVALID_ARGUMENT\"");
      assertThat(events.get(1)).isEqualTo("event: complete|data: ");

      // A mutation over GET is refused with a status that names the method to use.
      String mutation =
          URLEncoder.encode(
              "mutation { putTask(id: 1, name: \"x\") { id } }", StandardCharsets.UTF_8);
      HttpResponse<String> refused =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + server.port("graphql")
                              + "/graphql?query="
                              + mutation))
                  .header("Accept", "text/event-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(405);
      assertThat(refused.headers().firstValue("Allow")).hasValue("POST");
    }
  }
}
