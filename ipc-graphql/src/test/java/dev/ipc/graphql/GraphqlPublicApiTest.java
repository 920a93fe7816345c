package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.PersonService;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A tour of the public API as a host uses it: every builder setting, then a call through the
 * client.
 */
class GraphqlPublicApiTest {
  @Test
  void everySetting_buildsAWorkingTransportAndClient() {
    GraphqlTransport transport =
        GraphqlTransport.builder()
            .host("127.0.0.1")
            .port(0)
            .maxDepth(10)
            .maxFields(200)
            .maxTokens(5_000)
            .maxAliases(5)
            .introspection(false)
            .graphiql(false)
            .documentCacheSize(100)
            .maxMessageBytes(64 * 1024)
            .cors("https://example.org")
            .build();
    assertThat(transport.name()).isEqualTo("graphql");
    assertThat(transport.address()).isEqualTo("127.0.0.1:0");
    assertThat(GraphqlTransport.of(4444).address()).isEqualTo("0.0.0.0:4444");
    assertThat(GraphqlTransport.builder().host("::1").port(1).build().address())
        .isEqualTo("[::1]:1");

    try (Server server = Transports.serve(Reference.services(), transport);
        GraphqlClient client =
            GraphqlClient.builder()
                .target("127.0.0.1", server.port("graphql"))
                .timeout(Duration.ofSeconds(5))
                .build()) {
      assertThat(client.uri().toString())
          .isEqualTo("http://127.0.0.1:" + server.port("graphql") + "/graphql");
      assertThat(client.service(PersonService.DESCRIPTOR).person().hobby()).hasSize(5);
    }
  }

  @Test
  void limits_setOnTheBuilderOrTheUri_applyOverHttp() throws Exception {
    GraphqlTransport built =
        GraphqlTransport.builder()
            .host("127.0.0.1")
            .port(0)
            .maxFields(3)
            .maxAliases(1)
            .introspection(false)
            .build();
    try (Server server = Transports.serve(Reference.services(), built)) {
      assertLimited(server.port("graphql"));
    }
    try (Server server =
        Transports.builder()
            .services(Reference.services())
            .transport("graphql://127.0.0.1:0?maxFields=3&maxAliases=1&introspection=false")
            .start()) {
      assertLimited(server.port("graphql"));
    }
  }

  private static void assertLimited(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port + "/graphql?query=";
    for (String[] refused :
        new String[][] {
          {"{ name age hobby sex }", "4 fields which exceeds maximum allowed 3"},
          {"{ a: name b: age }", "aliases: 2 (expected: at most 1)"},
          {"{ __type(name: \"Query\") { name } }", "Introspection has been disabled"}
        }) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(base + URLEncoder.encode(refused[0], StandardCharsets.UTF_8)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(refused[0]).isEqualTo(400);
      assertThat(r.body()).as(refused[0]).contains(refused[1]).doesNotContain("\"data\"");
    }
    HttpResponse<String> ok =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(base + URLEncoder.encode("{ a: name }", StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ok.body()).isEqualTo("{\"data\":{\"a\":\"Rootkit\"}}");
  }
}
