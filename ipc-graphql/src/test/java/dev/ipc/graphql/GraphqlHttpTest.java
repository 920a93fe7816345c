package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Eat;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GraphQL over HTTP against a real server on port 0: the article's requests, the protocol, bad
 * input.
 */
@Timeout(60)
class GraphqlHttpTest {
  static final String ARTICLE_ANSWER =
      "{\"data\":{\"name\":\"Rootkit\",\"hobby\":[\"Coding\",\"Badminton\",\"Billiards\",\"Reading\",\"Guitar\"]}}";

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private Server server;
  private String base;

  @BeforeEach
  void start() {
    server = start(Reference.services());
  }

  private Server start(List<?> services) {
    Server s =
        Transports.builder()
            .services(services)
            .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
            .start();
    base = "http://127.0.0.1:" + s.port("graphql");
    return s;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  @Interop
  void articleCurl_answersExactly() throws Exception {
    // The article's command as typed, braces escaped from curl's globbing, its malformed header
    // included.
    Run r =
        run(
            "curl",
            "-s",
            base + "/graphql?query=\\{name%0Ahobby\\}",
            "-H",
            "Content-Type=apllication/json");
    assertThat(r.exit).isZero();
    assertThat(r.out).isEqualTo(ARTICLE_ANSWER);
  }

  @Test
  @Interop
  void articleCurl_withGlobbingOff_answersExactlyAsJson() throws Exception {
    Run r =
        run(
            "curl",
            "-g",
            "-s",
            "-w",
            "\n%{http_code} %{content_type}",
            base + "/graphql?query={name%0Ahobby}");
    assertThat(r.exit).isZero();
    assertThat(r.out).isEqualTo(ARTICLE_ANSWER + "\n200 application/json; charset=utf-8");
  }

  @Test
  void rawRequestLine_withBracesAndNoContentType() throws Exception {
    String response =
        raw(
            "GET /graphql?query={name%0Ahobby} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n" + ARTICLE_ANSWER);
  }

  @Test
  void get_withVariablesAndOperationName() throws Exception {
    String query = "query A { name } query B($id: Long!) { task(id: $id) { id name } }";
    HttpResponse<String> r =
        get(
            "/graphql?query=" + enc(query) + "&operationName=B&variables=" + enc("{\"id\":2}"),
            "application/json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"data\":{\"task\":{\"id\":2,\"name\":\"task2\"}}}");
  }

  @Test
  void post_withVariables() throws Exception {
    HttpResponse<String> r =
        post(
            "{\"query\":\"mutation Put($id: Long!, $name: String!) { putTask(id: $id, name: $name) { id name } }\","
                + "\"variables\":{\"id\":5,\"name\":\"task5\"}}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"data\":{\"putTask\":{\"id\":5,\"name\":\"task5\"}},\"extensions\":{\"created\":{\"putTask\":true}}}");
    assertThat(post("{\"query\":\"{ tasks { id } }\"}").body())
        .isEqualTo("{\"data\":{\"tasks\":[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":5}]}}");
  }

  @Test
  void post_operationNameSelectsTheOperation() throws Exception {
    String doc =
        "query Who { name } query Count { tasks { id } } mutation Eat { eating(food: \\\"steak\\\") { feeling } }";
    assertThat(post("{\"query\":\"" + doc + "\",\"operationName\":\"Who\"}").body())
        .isEqualTo("{\"data\":{\"name\":\"Rootkit\"}}");
    assertThat(post("{\"query\":\"" + doc + "\",\"operationName\":\"Eat\"}").body())
        .isEqualTo("{\"data\":{\"eating\":{\"feeling\":true}}}");
    HttpResponse<String> none = post("{\"query\":\"" + doc + "\"}");
    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(none.body()).contains("\"errors\"").doesNotContain("\"data\"");
    HttpResponse<String> unknown = post("{\"query\":\"" + doc + "\",\"operationName\":\"Nope\"}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("Nope");
  }

  @Test
  void accept_graphqlResponseJsonWhenAsked() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/graphql-response+json, application/json;q=0.9")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ name }\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("application/graphql-response+json; charset=utf-8");
    assertThat(post("{\"query\":\"{ name }\"}").headers().firstValue("Content-Type"))
        .hasValue("application/json; charset=utf-8");
  }

  @Test
  void mutationOverGet_is405WithAllowPost() throws Exception {
    HttpResponse<String> r =
        get(
            "/graphql?query=" + enc("mutation { putTask(id: 7, name: \"x\") { id } }"),
            "application/json");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    assertThat(r.body()).contains("\"errors\"");
    assertThat(post("{\"query\":\"{ task(id: 7) { id } }\"}").body()).contains("NOT_FOUND");
  }

  @Test
  void serviceError_hasCodeClassificationPathAndTheRestOfTheData() throws Exception {
    HttpResponse<String> r = post("{\"query\":\"{ name task(id: 42) { id } }\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"errors\":[{\"message\":\"task 42 not found\",\"locations\":[{\"line\":1,\"column\":8}],"
                + "\"path\":[\"task\"],\"extensions\":{\"code\":\"NOT_FOUND\",\"classification\":\"NOT_FOUND\"}}],"
                + "\"data\":{\"name\":\"Rootkit\",\"task\":null}}");
  }

  @Test
  void badInput_malformedJson() throws Exception {
    assertBad(post("{\"query\": "), 400, "malformed JSON");
  }

  @Test
  void badInput_syntaxError() throws Exception {
    assertBad(post("{\"query\":\"{ name \"}"), 400, "InvalidSyntax");
  }

  @Test
  void badInput_unknownField() throws Exception {
    assertBad(
        post("{\"query\":\"{ salary }\"}"), 400, "Field 'salary' in type 'Query' is undefined");
  }

  @Test
  void badInput_wrongVariableType() throws Exception {
    assertBad(
        post(
            "{\"query\":\"query($id: Long!) { task(id: $id) { id } }\",\"variables\":{\"id\":\"abc\"}}"),
        400,
        "Variable 'id' has an invalid value");
    assertBad(post("{\"query\":\"{ name }\",\"variables\":[1]}"), 400, "variables: array");
  }

  @Test
  void badInput_100DeepQuery() throws Exception {
    assertBad(
        post("{\"query\":\"" + GraphqlEngineTest.nested(100).replace("\"", "\\\"") + "\"}"),
        400,
        "depth");
  }

  @Test
  void badInput_1000Aliases() throws Exception {
    StringBuilder q = new StringBuilder("{");
    for (int i = 0; i < 1000; i++) {
      q.append(" a").append(i).append(": name");
    }
    assertBad(post("{\"query\":\"" + q + " }\"}"), 400, "aliases: 1000 (expected: at most 30)");
  }

  @Test
  void badInput_5MbBody() throws Exception {
    String padding = " ".repeat(5 * 1024 * 1024);
    HttpResponse<String> r = post("{\"query\":\"{ name }\"" + padding + "}");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("RESOURCE_EXHAUSTED");
    assertStillServes();
  }

  @Test
  void badInput_wrongContentType() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{ name }"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertBad(r, 415, "content type: text/plain");
  }

  @Test
  void badInput_missingQuery() throws Exception {
    assertBad(get("/graphql", "application/json"), 400, "query: missing");
    assertBad(post("{\"variables\":{}}"), 400, "query: missing");
  }

  @Test
  void applicationGraphqlBody_isAccepted() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "application/graphql")
                .POST(HttpRequest.BodyPublishers.ofString("{ name }"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo("{\"data\":{\"name\":\"Rootkit\"}}");
  }

  @Test
  void schemaSdl_isServed() throws Exception {
    HttpResponse<String> r = get("/graphql/schema.graphql", "*/*");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(r.body())
        .contains("type Query {\n  name: String\n  age: Int\n  sex: Boolean!\n  hobby: [String]\n")
        .contains("putTask(id: Long!, name: String!): Task");
  }

  @Test
  void browser_getsGraphiqlFromTheJar() throws Exception {
    HttpResponse<String> page = get("/graphql", "text/html,application/xhtml+xml,*/*;q=0.8");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("/graphql/assets/graphiql.min.js").doesNotContain("https://");
    for (String asset :
        List.of(
            "graphiql.min.js",
            "graphiql.min.css",
            "react.production.min.js",
            "react-dom.production.min.js")) {
      HttpResponse<String> r = get("/graphql/assets/" + asset, "*/*");
      assertThat(r.statusCode()).as(asset).isEqualTo(200);
      assertThat(r.body().length()).as(asset).isGreaterThan(5_000);
    }
    assertThat(get("/graphql/assets/nope.js", "*/*").statusCode()).isEqualTo(404);
    // The article's URL opened in a browser: GraphiQL (which puts the query in its editor), not
    // JSON.
    HttpResponse<String> withQuery =
        get("/graphql?query=%7Bname%0Ahobby%7D", "text/html,*/*;q=0.8");
    assertThat(withQuery.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    // GraphiQL reads the query from the URL in its start-up script, an asset (no inline script).
    assertThat(withQuery.body())
        .contains("/graphql/assets/graphiql-page.js")
        .doesNotContain("params.get");
    assertThat(get("/graphql/assets/graphiql-page.js", "*/*").body())
        .contains("params.get('query')");
  }

  @Test
  void unknownPathAndMethod_areProtocolErrors() throws Exception {
    assertThat(get("/elsewhere", "*/*").statusCode()).isEqualTo(404);
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST");
    assertStillServes();
  }

  @Test
  void serviceCode_runsOnTheContextExecutorNotAnEventLoop() throws Exception {
    server.close();
    List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.ipc.core.DatingService recording =
        new dev.ipc.core.DatingService() {
          @Override
          public Feel eating(Eat eat) {
            threads.add(Thread.currentThread().getName());
            return new Feel(true);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return eating(new Eat(movie.film()));
          }
        };
    server = start(List.of(recording));
    assertThat(
            post("{\"query\":\"mutation { eating(food: \\\"x\\\") { feeling } }\"}").statusCode())
        .isEqualTo(200);
    assertThat(threads).singleElement().satisfies(t -> assertThat(t).startsWith("ipc-call-"));
  }

  private void assertBad(HttpResponse<String> r, int status, String message) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.body())
        .contains("\"errors\"")
        .contains(message)
        .contains("\"code\":\"INVALID_ARGUMENT\"")
        .doesNotContain("\"data\"")
        .doesNotContain("Exception");
    assertStillServes();
  }

  private void assertStillServes() throws Exception {
    assertThat(get("/graphql?query=" + enc("{name\nhobby}"), "*/*").body())
        .isEqualTo(ARTICLE_ANSWER);
  }

  private HttpResponse<String> get(String pathAndQuery, String accept) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .header("Accept", accept)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/graphql"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port("graphql"))) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      return buf.toString(StandardCharsets.UTF_8);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  record Run(int exit, String out) {}

  static Run run(String... command) throws Exception {
    // Output goes to a file, not a pipe read to its end first: a hung process then fails the test
    // at the
    // timeout instead of blocking the read forever.
    java.nio.file.Path out = java.nio.file.Files.createTempFile("ipc-graphql-run", ".out");
    try {
      Process p =
          new ProcessBuilder(new ArrayList<>(List.of(command)))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      boolean finished = p.waitFor(30, TimeUnit.SECONDS);
      if (!finished) {
        p.destroyForcibly();
      }
      assertThat(finished).as("%s finished", command[0]).isTrue();
      return new Run(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      java.nio.file.Files.deleteIfExists(out);
    }
  }
}
