package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.Transport;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Browser-safe defaults over real HTTP: the GraphiQL page's Content-Security-Policy and framing
 * headers, {@code X-Content-Type-Options: nosniff} on every answer, and the {@code graphiql} and
 * {@code introspection} settings, each set on the builder and as a URI option.
 */
@Timeout(60)
class GraphqlBrowserSafetyTest {
  private static final List<String> ASSETS =
      List.of(
          "graphiql.min.js",
          "graphiql.min.css",
          "react.production.min.js",
          "react-dom.production.min.js",
          "graphiql-page.js",
          "graphiql-page.css");
  private static final String HTML = "text/html,application/xhtml+xml,*/*;q=0.8";

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void graphiqlPage_hasAStrictCspWithoutInlineScript_andCannotBeFramed() throws Exception {
    try (Server server = serve(GraphqlTransport.builder().host("127.0.0.1").port(0).build())) {
      HttpResponse<String> page = get(server, "/graphql", HTML);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
      List<String> directives = List.of(csp.split("\\s*;\\s*"));
      assertThat(directives)
          .contains(
              "default-src 'none'",
              "script-src 'self'",
              "style-src 'self'",
              "connect-src 'self'",
              "frame-ancestors 'none'",
              "object-src 'none'",
              "base-uri 'none'");
      assertThat(csp)
          .doesNotContain("unsafe-inline")
          .doesNotContain("unsafe-eval")
          .doesNotContain("*");
      assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
      assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

      // No inline script, no inline style, no event-handler attribute: all would break under the
      // CSP.
      Matcher scripts =
          Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(page.body());
      int count = 0;
      while (scripts.find()) {
        count++;
        assertThat(scripts.group(1)).as("script tag").contains("src=\"/graphql/assets/");
        assertThat(scripts.group(2)).as("script body").isBlank();
      }
      assertThat(count).isEqualTo(4);
      assertThat(page.body())
          .doesNotContain("<style")
          .doesNotContain(" style=")
          .doesNotContainPattern(" on[a-z]+=");

      for (String asset : ASSETS) {
        HttpResponse<String> r = get(server, "/graphql/assets/" + asset, "*/*");
        assertThat(r.statusCode()).as(asset).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Content-Type-Options")).as(asset).hasValue("nosniff");
        assertThat(r.headers().firstValue("Content-Type"))
            .as(asset)
            .hasValueSatisfying(
                t ->
                    assertThat(t)
                        .startsWith(asset.endsWith(".js") ? "text/javascript" : "text/css"));
      }
    }
  }

  @Test
  void everyAnswer_carriesNosniff_theServersOwnErrorsToo() throws Exception {
    try (Server server =
        serve(GraphqlTransport.builder().host("127.0.0.1").port(0).maxBodyBytes(1024).build())) {
      String base = "http://127.0.0.1:" + server.port("graphql");
      List<HttpRequest> requests =
          List.of(
              HttpRequest.newBuilder(URI.create(base + "/graphql?query=" + enc("{ name }")))
                  .build(), // 200
              HttpRequest.newBuilder(URI.create(base + "/graphql?query=" + enc("{ nope }")))
                  .build(), // 400
              HttpRequest.newBuilder(URI.create(base + "/graphql"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ age }\"}"))
                  .build(), // 200 over POST
              HttpRequest.newBuilder(URI.create(base + "/graphql"))
                  .header("Content-Type", "text/plain")
                  .POST(HttpRequest.BodyPublishers.ofString("{ age }"))
                  .build(), // 415
              HttpRequest.newBuilder(URI.create(base + "/graphql"))
                  .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(), // 405
              HttpRequest.newBuilder(URI.create(base + "/elsewhere")).build(), // 404
              HttpRequest.newBuilder(URI.create(base + "/graphql/schema.graphql"))
                  .build(), // the SDL
              HttpRequest.newBuilder(URI.create(base + "/graphql"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"query\":\"" + "x".repeat(4096) + "\"}"))
                  .build()); // 413, answered by ipc-http itself
      List<Integer> statuses = new java.util.ArrayList<>();
      for (HttpRequest request : requests) {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        statuses.add(r.statusCode());
        assertThat(r.headers().allValues("X-Content-Type-Options"))
            .as(request.uri() + " " + r.statusCode())
            .containsExactly("nosniff");
      }
      assertThat(statuses).containsExactly(200, 400, 200, 415, 405, 404, 200, 413);
    }
  }

  @Test
  void graphiqlOff_onTheBuilder_pageAndAssetsAre404_endpointStillServes() throws Exception {
    try (Server server =
        serve(GraphqlTransport.builder().host("127.0.0.1").port(0).graphiql(false).build())) {
      assertGraphiqlOff(server);
    }
  }

  @Test
  void graphiqlOff_asAUriOption_pageAndAssetsAre404_endpointStillServes() throws Exception {
    try (Server server = serve("graphql://127.0.0.1:0?graphiql=false")) {
      assertGraphiqlOff(server);
    }
  }

  private void assertGraphiqlOff(Server server) throws Exception {
    for (String asset : ASSETS) {
      HttpResponse<String> r = get(server, "/graphql/assets/" + asset, "*/*");
      assertThat(r.statusCode()).as(asset).isEqualTo(404);
      assertThat(r.body()).as(asset).contains("NOT_FOUND");
    }
    // A browser opening /graphql gets the endpoint's own JSON answer, never the page.
    HttpResponse<String> page = get(server, "/graphql", HTML);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).doesNotContain("html"));
    assertThat(page.body()).doesNotContain("<html").doesNotContain("graphiql");
    HttpResponse<String> withQuery = get(server, "/graphql?query=" + enc("{ name }"), HTML);
    assertThat(withQuery.statusCode()).isEqualTo(200);
    assertThat(withQuery.body()).isEqualTo("{\"data\":{\"name\":\"Rootkit\"}}");
  }

  @Test
  void graphiqlOn_byDefault_pageAndAssetsServed() throws Exception {
    try (Server server = serve("graphql://127.0.0.1:0")) {
      assertThat(get(server, "/graphql", HTML).body()).contains("graphiql-page.js");
      for (String asset : ASSETS) {
        assertThat(get(server, "/graphql/assets/" + asset, "*/*").statusCode())
            .as(asset)
            .isEqualTo(200);
      }
    }
  }

  private static final List<String> INTROSPECTIONS =
      List.of(
          "{ __schema { types { name } } }",
          "{ __type(name: \"Query\") { name fields { name } } }",
          "query { ...F } fragment F on Query { __schema { queryType { name } } }",
          "{ name s: __schema { types { name } } }");

  @Test
  void introspectionOff_onTheBuilder_isRefusedAsInvalidArgument_andTheSdlIsGone() throws Exception {
    try (Server server =
        serve(GraphqlTransport.builder().host("127.0.0.1").port(0).introspection(false).build())) {
      assertIntrospectionOff(server);
    }
  }

  @Test
  void introspectionOff_asAUriOption_isRefusedAsInvalidArgument_andTheSdlIsGone() throws Exception {
    try (Server server = serve("graphql://127.0.0.1:0?introspection=false")) {
      assertIntrospectionOff(server);
    }
  }

  private void assertIntrospectionOff(Server server) throws Exception {
    for (String query : INTROSPECTIONS) {
      for (HttpResponse<String> r :
          List.of(get(server, "/graphql?query=" + enc(query), "*/*"), post(server, query))) {
        assertThat(r.statusCode()).as(query).isEqualTo(400);
        JsonNode body = json.readTree(r.body());
        assertThat(body.has("data")).as(query).isFalse();
        assertThat(body.path("errors")).as(query).hasSize(1);
        assertThat(body.path("errors").get(0).path("extensions").path("code").asText())
            .as(query)
            .isEqualTo("INVALID_ARGUMENT");
        assertThat(r.body()).as(query).doesNotContain("\"Query\"").doesNotContain("putTask");
      }
    }
    HttpResponse<String> sdl = get(server, "/graphql/schema.graphql", "*/*");
    assertThat(sdl.statusCode()).isEqualTo(404);
    assertThat(sdl.body()).doesNotContain("type Query");
    // Everything else is served: queries, __typename (not introspection of the schema).
    assertThat(post(server, "{ name __typename }").body())
        .isEqualTo("{\"data\":{\"name\":\"Rootkit\",\"__typename\":\"Query\"}}");
  }

  @Test
  void introspectionOn_byDefault_answersAndServesTheSdl() throws Exception {
    try (Server server = serve("graphql://127.0.0.1:0")) {
      for (String query : INTROSPECTIONS) {
        HttpResponse<String> r = post(server, query);
        assertThat(r.statusCode()).as(query).isEqualTo(200);
        assertThat(json.readTree(r.body()).has("errors")).as(query + ": " + r.body()).isFalse();
      }
      HttpResponse<String> sdl = get(server, "/graphql/schema.graphql", "*/*");
      assertThat(sdl.statusCode()).isEqualTo(200);
      assertThat(sdl.body()).contains("type Query");
    }
  }

  private static Server serve(Transport transport) {
    return Transports.builder().services(Reference.services()).transport(transport).start();
  }

  private static Server serve(String uri) {
    return Transports.builder().services(Reference.services()).transport(uri).start();
  }

  private HttpResponse<String> get(Server server, String path, String accept) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port("graphql") + path))
            .header("Accept", accept)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(Server server, String query) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port("graphql") + "/graphql"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    json.writeValueAsString(java.util.Map.of("query", query))))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
