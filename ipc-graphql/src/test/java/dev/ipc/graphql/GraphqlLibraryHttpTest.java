package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.MemoryLibrary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The derived {@code Library} over GraphQL as a foreign client sees it: plain HTTP POSTs with
 * variables against a real server, every type in and out in its GraphQL form, and bad input refused
 * with INVALID_ARGUMENT naming the field.
 */
@Timeout(60)
class GraphqlLibraryHttpTest {
  private static final String BOOK_FIELDS =
      "{ id title genre tags props { key value } published isbn cover }";

  private static final String ADD =
      "mutation Add($id: Long!, $title: String, $genre: Genre, $tags: [String], $props: [BookPropsEntryInput!],"
          + " $published: Instant, $isbn: String, $cover: Base64) {"
          + " add(id: $id, title: $title, genre: $genre, tags: $tags, props: $props, published: $published,"
          + " isbn: $isbn, cover: $cover) "
          + BOOK_FIELDS
          + " }";

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private Server server;

  @BeforeEach
  void start() {
    server =
        Transports.builder()
            .services(List.of(new MemoryLibrary()))
            .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /**
   * Posts {@code query} with {@code variables} as JSON; returns the status and the parsed answer.
   */
  private Answer post(String query, Map<String, ?> variables) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", query);
    body.put("variables", variables);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port("graphql") + "/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), json.readTree(r.body()));
  }

  private record Answer(int status, JsonNode body) {
    JsonNode data(String field) {
      assertThat(body.has("errors")).as("errors in %s", body).isFalse();
      return body.path("data").path(field);
    }

    JsonNode error() {
      assertThat(body.path("errors").size()).as("one error in %s", body).isEqualTo(1);
      return body.path("errors").get(0);
    }
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> dune() {
    return map(
        "id", 1,
        "title", "Dune",
        "genre", "NOVEL",
        "tags", List.of("sand", "spice"),
        "props", List.of(map("key", "lang", "value", "en"), map("key", "pages", "value", "412")),
        "published", "1965-08-01T00:00:00.500Z", // Instant.toString: fractions in groups of 3
        "isbn", "978-0441013593",
        "cover", "AAEC/w==");
  }

  private Map<String, Object> add(Map<String, Object> book) throws Exception {
    Answer a = post(ADD, book);
    assertThat(a.status()).isEqualTo(200);
    return book;
  }

  @Test
  void add_everyBookField_roundTripsInItsGraphqlForm() throws Exception {
    Answer added = post(ADD, dune());
    assertThat(added.status()).isEqualTo(200);
    JsonNode expected = json.valueToTree(dune());
    assertThat(added.data("add")).isEqualTo(expected);

    Answer got = post("query($id: Long!) { get(id: $id) " + BOOK_FIELDS + " }", map("id", "1"));
    assertThat(got.data("get")).isEqualTo(expected);

    // Any RFC 3339 offset in; UTC out.
    Map<String, Object> offset = dune();
    offset.put("id", 9);
    offset.put("published", "1965-08-01T01:30:00+01:30");
    assertThat(post(ADD, offset).data("add").path("published").asText())
        .isEqualTo("1965-08-01T00:00:00Z");

    // Absent optional fields come back null; an absent list or map is empty, never null.
    Answer bare = post(ADD, map("id", 2, "title", "Bare"));
    JsonNode b = bare.data("add");
    assertThat(b.path("isbn").isNull()).isTrue();
    assertThat(b.path("published").isNull()).isTrue();
    assertThat(b.path("genre").isNull()).isTrue();
    assertThat(b.path("tags").isArray() && b.path("tags").isEmpty()).isTrue();
    assertThat(b.path("props").isArray() && b.path("props").isEmpty()).isTrue();
  }

  @Test
  void search_takesAnEnumAsVariableOrLiteral() throws Exception {
    add(dune());
    add(map("id", 2, "title", "Odes", "genre", "POETRY"));
    add(map("id", 3, "title", "Dune Messiah", "genre", "NOVEL"));

    Answer novels =
        post(
            "query($text: String, $genre: Genre, $limit: Int!) { search(text: $text, genre: $genre, limit: $limit)"
                + " { id genre } }",
            map("text", "dune", "genre", "NOVEL", "limit", 10));
    assertThat(novels.data("search"))
        .isEqualTo(
            json.valueToTree(
                List.of(map("id", 1, "genre", "NOVEL"), map("id", 3, "genre", "NOVEL"))));

    Answer poetry = post("{ search(genre: POETRY, limit: 5) { title } }", Map.of());
    assertThat(poetry.data("search")).isEqualTo(json.valueToTree(List.of(map("title", "Odes"))));
  }

  @Test
  void echo_everyEditionType_comesBackInItsGraphqlForm() throws Exception {
    String query =
        "query($inPrint: Boolean!, $pages: Int!, $rating: Float!, $weight: Float!, $printing: Int,"
            + " $copies: Long, $signed: Boolean, $readingTime: Duration, $price: Decimal, $shelf: Genre,"
            + " $retired: Instant, $book: BookInput, $related: [BookInput], $translations:"
            + " [EditionTranslationsEntryInput!], $counts: [EditionCountsEntryInput!], $genres: [Genre],"
            + " $ids: [Long]) { echo(inPrint: $inPrint, pages: $pages, rating: $rating, weight: $weight,"
            + " printing: $printing, copies: $copies, signed: $signed, readingTime: $readingTime,"
            + " price: $price, shelf: $shelf, retired: $retired, book: $book, related: $related,"
            + " translations: $translations, counts: $counts, genres: $genres, ids: $ids) {"
            + " inPrint pages rating weight printing copies signed readingTime price shelf retired"
            + " book "
            + BOOK_FIELDS
            + " related "
            + BOOK_FIELDS
            + " translations { key value "
            + BOOK_FIELDS
            + " } counts { key value } genres ids } }";
    Map<String, Object> edition =
        map(
            "inPrint",
            true,
            "pages",
            412,
            "rating",
            4.25,
            "weight",
            0.1, // a float: answered as 0.1, not as the double 0.10000000149011612
            "printing",
            0,
            "copies",
            Long.MAX_VALUE,
            "signed",
            false,
            "readingTime",
            "PT1H2M3.000005S",
            "price",
            "12345678901234567890.125",
            "shelf",
            "POETRY",
            "retired",
            "1970-01-01T00:00:00Z",
            "book",
            dune(),
            "related",
            List.of(
                dune(),
                map(
                    "id",
                    2,
                    "title",
                    "Bare",
                    "genre",
                    null,
                    "tags",
                    List.of(),
                    "props",
                    List.of(),
                    "published",
                    null,
                    "isbn",
                    null,
                    "cover",
                    null)),
            "translations",
            List.of(map("key", "fr", "value", dune())),
            "counts",
            List.of(map("key", "a", "value", 1), map("key", "b", "value", -2)),
            "genres",
            List.of("SCIENCE", "NOVEL"),
            "ids",
            List.of(1, -9007199254740993L));
    Answer a = post(query, edition);
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.data("echo")).isEqualTo(json.valueToTree(edition));
    assertThat(a.data("echo").path("weight").doubleValue()).isEqualTo(0.1);

    // Absent boxed and optional values stay absent: null, not zero.
    Answer sparse =
        post(
            "{ echo(inPrint: false, pages: 0, rating: 0, weight: 0) { printing copies signed shelf retired"
                + " price readingTime book { id } related { id } translations { key } } }",
            Map.of());
    assertThat(sparse.data("echo"))
        .isEqualTo(
            json.readTree(
                "{\"printing\":null,\"copies\":null,\"signed\":null,\"shelf\":null,\"retired\":null,"
                    + "\"price\":null,\"readingTime\":null,\"book\":null,\"related\":[],\"translations\":[]}"));
  }

  @Test
  void remove_answersTrue_thenNotFound() throws Exception {
    add(dune());
    Answer removed = post("mutation($id: Long!) { remove(id: $id) }", map("id", 1));
    assertThat(removed.status()).isEqualTo(200);
    assertThat(removed.body()).isEqualTo(json.readTree("{\"data\":{\"remove\":true}}"));

    Answer again = post("mutation($id: Long!) { remove(id: $id) }", map("id", 1));
    assertThat(again.body().path("data").path("remove").isNull()).isTrue();
    assertThat(again.error().path("message").asText()).isEqualTo("no book 1");
    assertThat(again.error().path("extensions").path("code").asText()).isEqualTo("NOT_FOUND");
  }

  @Test
  void blankTitle_isInvalidArgumentWithTheRecordsMessage() throws Exception {
    Map<String, Object> book = dune();
    book.put("title", "  ");
    Answer a = post(ADD, book);
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().path("data").path("add").isNull()).isTrue();
    assertThat(a.error().path("message").asText()).isEqualTo("Book: title: must not be blank");
    assertThat(a.error().path("extensions").path("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(a.error().path("path")).isEqualTo(json.valueToTree(List.of("add")));
    // Nothing was added.
    assertThat(post("{ search(limit: 10) { id } }", Map.of()).data("search").size()).isZero();
  }

  @Test
  void repeatedMapKey_isInvalidArgumentNamingTheField() throws Exception {
    Map<String, Object> book = dune();
    book.put("props", List.of(map("key", "a", "value", "1"), map("key", "a", "value", "2")));
    Answer a = post(ADD, book);
    assertThat(a.error().path("message").asText())
        .isEqualTo("Book.props: key \"a\" twice (expected: distinct keys)");
    assertThat(a.error().path("extensions").path("code").asText()).isEqualTo("INVALID_ARGUMENT");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "genre     | FOO         | Variable 'genre' has an invalid value: | FOO",
        "published | yesterday   | Variable 'published' has an invalid value: Instant: \"yesterday\""
            + " (expected: an RFC 3339 timestamp | yesterday",
        "cover     | not base64! | Variable 'cover' has an invalid value: Base64: | not base64!",
        "id        | 1.5         | Variable 'id' has an invalid value: | 1.5",
      })
  void badVariable_isInvalidArgumentNamingIt(
      String field, String value, String message, String shown) throws Exception {
    Map<String, Object> book = dune();
    book.put(field, field.equals("id") ? (Object) Double.valueOf(value) : value);
    Answer a = post(ADD, book);
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.body().has("data")).isFalse();
    assertThat(a.error().path("message").asText()).startsWith(message).contains(shown);
    assertThat(a.error().path("extensions").path("code").asText()).isEqualTo("INVALID_ARGUMENT");
  }

  @Test
  void badValueInsideAnInputObject_namesItsPath() throws Exception {
    Map<String, Object> book = dune();
    book.put("published", "2026-13-45T00:00:00Z");
    Answer a =
        post(
            "mutation($id: Long!, $book: BookInput) { put(id: $id, book: $book) { id } }",
            map("id", 1, "book", book));
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error().path("message").asText())
        .isEqualTo(
            "Variable 'book' has an invalid value: book.published: Instant: \"2026-13-45T00:00:00Z\""
                + " (expected: an RFC 3339 timestamp, e.g. 2026-12-05T10:15:30Z)");
    assertThat(a.error().path("extensions").path("code").asText()).isEqualTo("INVALID_ARGUMENT");

    Map<String, Object> related = dune();
    related.put("genre", "EPIC");
    Answer nested =
        post(
            "query($related: [BookInput]) { echo(inPrint: true, pages: 1, rating: 1, weight: 1,"
                + " related: $related) { pages } }",
            map("related", List.of(dune(), related)));
    assertThat(nested.error().path("message").asText())
        .startsWith("Variable 'related' has an invalid value: related[1].genre: ")
        .contains("EPIC");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "search(genre: EPIC, limit: 1) { id }                          | genre",
        "add(id: 5, title: \"x\", published: \"noon\") { id }          | published",
        "echo(inPrint: true, pages: 1, rating: 1, weight: 1, price: \"1,5\") { pages } | price",
        "echo(inPrint: true, pages: 1, rating: 1, weight: 1, readingTime: \"1 hour\") { pages } | readingTime",
      })
  void badLiteral_isInvalidArgumentNamingTheArgument(String selection, String argument)
      throws Exception {
    String operation = selection.startsWith("add") ? "mutation" : "query";
    Answer a = post(operation + " { " + selection + " }", Map.of());
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error().path("message").asText()).contains("argument '" + argument + "'");
    assertThat(a.error().path("extensions").path("code").asText()).isEqualTo("INVALID_ARGUMENT");
  }
}
