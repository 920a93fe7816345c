package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.annotation.Mutation;
import dev.ipc.core.annotation.Rest;
import dev.ipc.core.testing.Book;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A web page on any site can make a browser POST a form, plain text or an empty body without asking
 * the server first (a CORS "simple" request): such a POST reaches an operation only where it opts
 * in.
 */
@Timeout(60)
class SimpleRequestTest {
  private final HttpClient http = HttpClient.newHttpClient();

  /** A service whose ping opts in to simple requests, and whose poke does not. */
  public interface Beacon {
    @Mutation
    @Rest(simpleRequests = true)
    Book ping(String note);

    @Mutation
    Book poke(String note);
  }

  private HttpResponse<String> post(Server server, String path, String type, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port("rest") + path))
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("content-type", type);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void simplePost_isRefusedUnlessTheOperationOptsIn() throws Exception {
    List<String> pings = new ArrayList<>();
    Beacon beacon =
        new Beacon() {
          @Override
          public Book ping(String note) {
            pings.add("ping " + note);
            return new Book(
                1,
                "ok",
                null,
                List.of(),
                java.util.Map.of(),
                null,
                java.util.Optional.empty(),
                new byte[0]);
          }

          @Override
          public Book poke(String note) {
            pings.add("poke " + note);
            return ping(note);
          }
        };
    try (Server server =
        Transports.builder()
            .services(Reference.services())
            .service(beacon)
            .transport(RestTransport.builder().host("127.0.0.1").port(0).build())
            .start()) {
      for (String type :
          new String[] {
            null,
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data; boundary=x"
          }) {
        HttpResponse<String> r =
            post(server, "/dating/eating", type, type == null ? null : "food=steak");
        assertThat(r.statusCode()).as(String.valueOf(type)).isEqualTo(415);
        assertThat(r.body())
            .contains("needs Content-Type: application/json")
            .contains("INVALID_ARGUMENT");
        assertThat(post(server, "/beacon/poke", type, type == null ? null : "note=x").statusCode())
            .isEqualTo(415);
      }
      assertThat(pings).isEmpty();
      // JSON is preflighted by browsers: accepted as always.
      HttpResponse<String> json =
          post(server, "/dating/eating", "application/json", "{\"food\":\"steak\"}");
      assertThat(json.statusCode()).isEqualTo(200);
      assertThat(json.body()).isEqualTo("{\"feeling\":true}");
      // The operation that opts in takes a form and an empty body.
      assertThat(
              post(server, "/beacon/ping", "application/x-www-form-urlencoded", "note=hi")
                  .statusCode())
          .isEqualTo(200);
      assertThat(post(server, "/beacon/ping", null, null).statusCode()).isEqualTo(200);
      assertThat(pings).containsExactly("ping hi", "ping null");
      // The article's form PUT stays: PUT is never a simple request.
      HttpRequest put =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port("rest") + "/tasks/5"))
              .header("content-type", "application/x-www-form-urlencoded")
              .PUT(HttpRequest.BodyPublishers.ofString("data={\"name\": \"task5\"}"))
              .build();
      assertThat(http.send(put, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
    }
  }
}
