package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import dev.ipc.core.testing.MemoryLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The plain {@code Library} interface served over REST with no descriptor, called by curl as a REST
 * user would: every type in its JSON form, plain parameters from the query string, and 400 problems
 * naming the field for wrong input.
 */
@Timeout(120)
@Interop
class LibraryCurlTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every field of a Book; cover is bytes 00 01 ff 7f 80, whose base64 needs '/' and padding. */
  private static final String DUNE =
      """
      {"id":1,"title":"Dune \\u2713 \\"quoted\\"","genre":"NOVEL","tags":["classic","sf"],
       "props":{"lang":"en","pages":"412"},"published":"1965-08-01T00:00:00Z",
       "isbn":"978-0441013593","cover":"AAH/f4A="}""";

  private static final String LEAVES = "{\"id\":2,\"title\":\"Leaves\",\"genre\":\"POETRY\"}";

  /** LEAVES as the server answers it: every field present, absent values as null or empty. */
  private static final String LEAVES_ANSWER =
      """
      {"id":2,"title":"Leaves","genre":"POETRY","tags":[],"props":{},"published":null,"isbn":null,
       "cover":null}""";

  /** Every type of Edition, in the form the server writes back. */
  private static final String EDITION =
      """
      {"inPrint":true,"pages":412,"rating":0.1,"weight":1.5,"printing":0,
       "copies":9223372036854775807,"signed":false,"readingTime":"PT1H2M3.000005S",
       "price":"12345678901234567890.125","shelf":"POETRY","retired":"1970-01-01T00:00:00.000000001Z",
       "book":%s,"related":[%s,%s],"translations":{"fr":%s,"de":%s},"counts":{"sold":7,"zero":0},
       "genres":["SCIENCE","NOVEL"],"ids":[-9223372036854775808,0,42]}"""
          .formatted(DUNE, LEAVES_ANSWER, DUNE, LEAVES_ANSWER, DUNE);

  private Server server;
  private String base;

  /** Starts a library holding books 1 (every field), 2 (the fewest) and 3. */
  @BeforeEach
  void start() throws Exception {
    server = Transports.serve(List.of(new MemoryLibrary()), "rest://127.0.0.1:0");
    base = "http://127.0.0.1:" + server.port("rest");
    assertThat(post("/library/add", DUNE).status).isEqualTo(200);
    assertThat(post("/library/add", LEAVES).status).isEqualTo(200);
    assertThat(
            post("/library/add", "{\"id\":3,\"title\":\"Dune Messiah\",\"genre\":\"NOVEL\"}")
                .status)
        .isEqualTo(200);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void add_answersEveryBookFieldInItsJsonForm() throws Exception {
    Answer r = post("/library/add", DUNE.replace("\"id\":1", "\"id\":100"));
    assertThat(r.status).isEqualTo(200);
    assertThat(r.json()).isEqualTo(tree(DUNE.replace("\"id\":1", "\"id\":100")));
    // Absent members are "no value": null for a reference or an Optional, empty for lists and maps.
    Answer bare = post("/library/add", LEAVES.replace("\"id\":2", "\"id\":101"));
    assertThat(bare.json()).isEqualTo(tree(LEAVES_ANSWER.replace("\"id\":2", "\"id\":101")));
  }

  @Test
  void get_bindsTheIdFromTheQueryString() throws Exception {
    Answer dune = curl(base + "/library/get?id=1");
    assertThat(dune.status).isEqualTo(200);
    assertThat(dune.json()).isEqualTo(tree(DUNE));
    assertThat(curl(base + "/library/get?id=2").json()).isEqualTo(tree(LEAVES_ANSWER));
    Answer missing = curl(base + "/library/get?id=99");
    assertThat(missing.status).isEqualTo(404);
    assertThat(missing.json().get("code").asText()).isEqualTo("NOT_FOUND");
  }

  @Test
  void search_bindsStringEnumAndIntFromTheQueryString() throws Exception {
    assertThat(ids(curl(base + "/library/search?text=dune&genre=NOVEL&limit=5")))
        .containsExactly(1L, 3L);
    assertThat(ids(curl(base + "/library/search?text=DUNE&genre=NOVEL&limit=1")))
        .containsExactly(1L);
    assertThat(ids(curl(base + "/library/search?genre=POETRY&limit=5"))).containsExactly(2L);
    assertThat(ids(curl(base + "/library/search?text=%20messiah&limit=5"))).containsExactly(3L);
    Answer none = curl(base + "/library/search?text=nothing&limit=5");
    assertThat(none.status).isEqualTo(200);
    assertThat(none.body).isEqualTo("[]");
  }

  @Test
  void put_takesItsPlainParametersAsOneJsonObject_createdThenReplaced() throws Exception {
    String cosmos = "{\"id\":104,\"title\":\"Cosmos\",\"genre\":\"SCIENCE\",\"tags\":[\"space\"]}";
    Answer created = post("/library/put", "{\"id\":104,\"book\":" + cosmos + "}");
    assertThat(created.status).isEqualTo(201);
    assertThat(created.json().get("title").asText()).isEqualTo("Cosmos");
    assertThat(created.json().get("tags")).isEqualTo(tree("[\"space\"]"));
    Answer replaced =
        post("/library/put", "{\"id\":104,\"book\":" + cosmos.replace("Cosmos", "Cosmos 2") + "}");
    assertThat(replaced.status).isEqualTo(200);
    assertThat(curl(base + "/library/get?id=104").json().get("title").asText())
        .isEqualTo("Cosmos 2");
    Answer mismatch = post("/library/put", "{\"id\":105,\"book\":" + cosmos + "}");
    assertThat(mismatch.status).isEqualTo(400);
    assertThat(mismatch.json().get("detail").asText()).contains("book.id");
  }

  @Test
  void remove_answersAnEmptyObject() throws Exception {
    assertThat(post("/library/add", "{\"id\":106,\"title\":\"Gone\"}").status).isEqualTo(200);
    Answer removed = post("/library/remove", "{\"id\":106}");
    assertThat(removed.status).isEqualTo(200);
    assertThat(removed.body).isEqualTo("{}");
    assertThat(post("/library/remove", "{\"id\":106}").status).isEqualTo(404);
  }

  @Test
  void echo_everyTypeRoundTripsInItsJsonForm() throws Exception {
    Answer r = post("/library/echo", EDITION);
    assertThat(r.status).isEqualTo(200);
    assertThat(r.json()).isEqualTo(tree(EDITION));
  }

  @Test
  void echo_emptyObject_answersEveryFieldWithItsDefault() throws Exception {
    Answer r = post("/library/echo", "{}");
    assertThat(r.status).isEqualTo(200);
    assertThat(r.json())
        .isEqualTo(
            tree(
                """
                {"inPrint":false,"pages":0,"rating":0.0,"weight":0.0,"printing":null,"copies":null,
                 "signed":null,"readingTime":null,"price":null,"shelf":null,"retired":null,"book":null,
                 "related":[],"translations":{},"counts":{},"genres":[],"ids":[]}"""));
  }

  @Test
  void echo_readsTheOtherFormsProtobufJsonWrites_andAnswersTheCanonicalOnes() throws Exception {
    Answer r =
        post(
            "/library/echo",
            """
            {"copies":"-5","readingTime":"-1.5s","price":12,"shelf":2,"rating":"NaN",
             "weight":"-Infinity","retired":"2026-12-05T11:15:30+01:00",
             "book":{"id":"7","title":"t","cover":"-_-_"},"ids":["1"]}""");
    assertThat(r.status).isEqualTo(200);
    JsonNode e = r.json();
    assertThat(e.get("copies").asLong()).isEqualTo(-5);
    assertThat(e.get("readingTime").asText()).isEqualTo("PT-1.5S");
    assertThat(e.get("price").asText()).isEqualTo("12");
    assertThat(e.get("shelf").asText()).isEqualTo("SCIENCE");
    assertThat(e.get("rating").asText()).isEqualTo("NaN");
    assertThat(e.get("weight").asText()).isEqualTo("-Infinity");
    assertThat(e.get("retired").asText()).isEqualTo("2026-12-05T10:15:30Z");
    assertThat(e.get("book").get("id").asLong()).isEqualTo(7);
    assertThat(e.get("book").get("cover").asText()).isEqualTo("+/+/");
    assertThat(e.get("ids")).isEqualTo(tree("[1]"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          /library/add  | {"id":110,"title":"  "}                            | title: must not be blank
          /library/add  | {"id":110}                                         | title: must not be blank
          /library/add  | {"id":110,"title":"x","genre":"HORROR"}            | genre: 'HORROR' (expected: one of NOVEL, POETRY, SCIENCE)
          /library/add  | {"id":110,"title":"x","published":"yesterday"}     | published: 'yesterday' (expected: an RFC 3339 timestamp
          /library/add  | {"id":110,"title":"x","cover":"!!"}                | cover: '!!' (expected: base64 bytes)
          /library/add  | {"id":110,"title":"x","cover":[1,2]}               | cover: an array (expected: base64 bytes)
          /library/add  | {"id":110,"title":"x","tags":"a"}                  | tags: the string "a" (expected: a JSON array)
          /library/add  | {"id":110,"title":"x","tags":[null]}               | tags[0]: null (expected: a string)
          /library/add  | {"id":110,"title":"x","props":{"k":1}}             | props.k: the number 1 (expected: a string)
          /library/add  | {"id":110,"title":"x","props":["k"]}               | props: an array (expected: a JSON object (values: a string))
          /library/add  | {"id":110,"title":"x","isbn":5}                    | isbn: the number 5 (expected: a string)
          /library/add  | {"id":"x","title":"x"}                             | id: 'x' (expected: a 64-bit integer)
          /library/put  | {"id":110,"book":"x"}                              | book: the string "x" (expected: a Book object)
          /library/echo | {"book":{"id":1,"title":"t","genre":"HORROR"}}     | book.genre: 'HORROR'
          /library/echo | {"related":[{"id":1,"title":""}]}                  | title: must not be blank
          /library/echo | {"translations":{"fr":{"id":1,"title":"t","published":"x"}}} | translations.fr.published: 'x'
          /library/echo | {"counts":{"a":"b"}}                               | counts.a: 'b' (expected: a 32-bit integer)
          /library/echo | {"counts":{"a":2147483648}}                        | counts.a: 2147483648 (expected: a 32-bit integer)
          /library/echo | {"weight":1e39}                                    | weight: 1.0E39 (expected: a 32-bit float)
          /library/echo | {"rating":"high"}                                  | rating: 'high' (expected: a number)
          /library/echo | {"readingTime":"soon"}                             | readingTime: 'soon' (expected: an ISO-8601 duration
          /library/echo | {"price":"cheap"}                                  | price: 'cheap' (expected: a decimal number as a string
          /library/echo | {"price":true}                                     | price: true (expected: a decimal number as a string
          /library/echo | {"shelf":"HORROR"}                                 | shelf: 'HORROR' (expected: one of NOVEL, POETRY, SCIENCE)
          /library/echo | {"shelf":7}                                        | shelf: 7 (expected: one of NOVEL, POETRY, SCIENCE)
          /library/echo | {"retired":12}                                     | retired: the number 12 (expected: an RFC 3339 timestamp
          /library/echo | {"genres":["NOVEL","HORROR"]}                      | genres[1]: 'HORROR'
          /library/echo | {"pages":true}                                     | pages: true (expected: a 32-bit integer)
          /library/echo | {"signed":"yes"}                                   | signed: the string "yes" (expected: true or false)
          """)
  void wrongJson_is400ProblemNamingTheField(String path, String body, String detail)
      throws Exception {
    Answer r = post(path, body);
    assertThat(r.status).isEqualTo(400);
    assertThat(r.contentType).isEqualTo("application/problem+json");
    assertThat(r.json().get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(r.json().get("detail").asText()).contains(detail);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          /library/search?genre=HORROR&limit=1 | genre: 'HORROR' (expected: one of NOVEL, POETRY, SCIENCE)
          /library/search?genre=1&limit=1      | genre: '1'
          /library/search?limit=many           | limit: 'many' (expected: a 32-bit integer)
          /library/search?limit=-1             | limit: -1 (expected: >= 0)
          /library/get?id=1.5                  | id: '1.5' (expected: a 64-bit integer)
          """)
  void wrongQueryParameter_is400ProblemNamingIt(String pathAndQuery, String detail)
      throws Exception {
    Answer r = curl(base + pathAndQuery);
    assertThat(r.status).isEqualTo(400);
    assertThat(r.json().get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(r.json().get("detail").asText()).contains(detail);
  }

  private static List<Long> ids(Answer r) throws IOException {
    assertThat(r.status).isEqualTo(200);
    List<Long> ids = new ArrayList<>();
    for (JsonNode b : r.json()) {
      ids.add(b.get("id").asLong());
    }
    return ids;
  }

  private static JsonNode tree(String json) throws IOException {
    return JSON.readTree(json);
  }

  /** One answer as curl saw it. */
  private record Answer(int status, String contentType, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  private Answer post(String path, String json) throws IOException, InterruptedException {
    return curl(
        "-X", "POST", "-H", "content-type: application/json", "--data-binary", json, base + path);
  }

  /** Runs curl; the status and content type come from {@code -w}, after the body. */
  private static Answer curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-s", "--max-time", "20"));
    command.addAll(List.of(args));
    command.addAll(List.of("-w", "\n%{http_code} %{content_type}"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl finished").isTrue();
    assertThat(p.exitValue()).as("curl exit code: " + out).isZero();
    int nl = out.lastIndexOf('\n');
    String[] status = out.substring(nl + 1).split(" ", 2);
    return new Answer(
        Integer.parseInt(status[0]), status.length > 1 ? status[1] : "", out.substring(0, nl));
  }
}
