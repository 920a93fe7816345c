package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.http.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** REST behaviour over a real server on port 0: routes, statuses, bad input, HTTP features. */
@Timeout(60)
class RestServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
  }

  private int start(RestTransport.Builder transport) {
    Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(transport.host("127.0.0.1").port(0).build())
            .start();
    cleanup.add(0, server);
    return server.port("rest");
  }

  private int start() {
    return start(RestTransport.builder());
  }

  private RawHttp connect(int port) throws IOException {
    RawHttp c = new RawHttp(port);
    cleanup.add(0, c);
    return c;
  }

  private static JsonNode json(RawHttp.Response r) throws IOException {
    return JSON.readTree(r.body());
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  private static String request(String method, String path, String type, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return method
        + " "
        + path
        + " HTTP/1.1\r\nHost: x\r\n"
        + (type == null ? "" : "Content-Type: " + type + "\r\n")
        + "Content-Length: "
        + bytes.length
        + "\r\n\r\n"
        + body;
  }

  @Test
  void tasks_listGetPutWithStatusesAndLocation() throws IOException {
    RawHttp c = connect(start());
    RawHttp.Response list = c.send(get("/tasks")).read();
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.header("content-type")).isEqualTo("application/json");
    assertThat(list.body())
        .isEqualTo(
            "[{\"id\":1,\"name\":\"task1\"},{\"id\":2,\"name\":\"task2\"},{\"id\":3,\"name\":\"task3\"}]");

    RawHttp.Response created =
        c.send(request("PUT", "/tasks/5", "application/json", "{\"name\":\"task5\"}")).read();
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("location")).isEqualTo("/tasks/5");
    assertThat(created.body()).isEqualTo("{\"id\":5,\"name\":\"task5\"}");

    RawHttp.Response replaced =
        c.send(
                request(
                    "PUT",
                    "/tasks/5",
                    "application/x-www-form-urlencoded",
                    "data={\"name\": \"five\"}"))
            .read();
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(replaced.header("location")).isNull();

    RawHttp.Response form =
        c.send(request("PUT", "/tasks/6", "application/x-www-form-urlencoded", "name=six+6"))
            .read();
    assertThat(form.status()).isEqualTo(201);
    assertThat(form.body()).isEqualTo("{\"id\":6,\"name\":\"six 6\"}");

    assertThat(c.send(get("/tasks/5")).read().body()).isEqualTo("{\"id\":5,\"name\":\"five\"}");
    assertThat(c.send(get("/tasks/")).read().body()).contains("\"five\"", "\"six 6\"");
  }

  @Test
  void formBody_readsAsCurlSendsIt_semicolonsAndStrayPercentsAreData() throws IOException {
    RawHttp c = connect(start());
    String form = "application/x-www-form-urlencoded";
    // curl -d does not encode: a ';' and a '%' not starting an escape are part of the value.
    RawHttp.Response put =
        c.send(request("PUT", "/tasks/7", form, "data={\"name\": \"a;b 50%\"}")).read();
    assertThat(put.status()).isEqualTo(201);
    assertThat(put.body()).isEqualTo("{\"id\":7,\"name\":\"a;b 50%\"}");
    // Escapes and '+' decode, in names too; a field named after a member wins over 'data'.
    put =
        c.send(
                request(
                    "PUT",
                    "/tasks/8",
                    form,
                    "data=%7B%22name%22%3A%22x%22%7D&na%6De=caf%C3%A9+%26+co"))
            .read();
    assertThat(put.status()).isEqualTo(201);
    assertThat(put.body()).isEqualTo("{\"id\":8,\"name\":\"café & co\"}");
    // A declared charset is honoured.
    put = c.send(request("PUT", "/tasks/9", form + "; charset=ISO-8859-1", "name=caf%E9")).read();
    assertThat(put.status()).isEqualTo(201);
    assertThat(put.body()).isEqualTo("{\"id\":9,\"name\":\"café\"}");
    // Bad JSON inside 'data' is still the caller's 400, naming the field.
    RawHttp.Response bad = c.send(request("PUT", "/tasks/9", form, "data={\"name\": ")).read();
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body()).contains("form field 'data'");
  }

  @Test
  void location_isTheCanonicalPathNeverTheRawRequestLine() throws IOException {
    RawHttp c = connect(start());
    RawHttp.Response escaped =
        c.send(request("PUT", "/tasks/%35/", "application/json", "{\"name\":\"n\"}")).read();
    assertThat(escaped.status()).isEqualTo(201);
    assertThat(escaped.header("location")).isEqualTo("/tasks/5");
    // A control byte the id parse trims away must not reach the header (Netty would refuse it and
    // the
    // client would get no answer at all).
    RawHttp.Response control =
        c.send(request("PUT", "/tasks/6\u0001", "application/json", "{\"name\":\"n\"}")).read();
    assertThat(control.status()).isEqualTo(201);
    assertThat(control.header("location")).isEqualTo("/tasks/6");
    assertThat(c.send(get("/tasks/6")).read().body()).isEqualTo("{\"id\":6,\"name\":\"n\"}");
  }

  @Test
  void datingAndPerson_haveTheRoutesARestUserWouldGuess() throws IOException {
    RawHttp c = connect(start());
    RawHttp.Response eat =
        c.send(request("POST", "/dating/eating", "application/json", "{\"food\":\"steak\"}"))
            .read();
    assertThat(eat.status()).isEqualTo(200);
    assertThat(eat.body()).isEqualTo("{\"feeling\":true}");
    assertThat(
            c.send(
                    request(
                        "POST", "/dating/watch-movie", "application/json", "{\"film\":\"星际穿越\"}"))
                .read()
                .body())
        .isEqualTo("{\"feeling\":true}");
    // Without a content type a POST is one any web page can send cross-site: refused (issue 17).
    assertThat(
            c.send(request("POST", "/dating/watch-movie", null, "{\"film\":\"x\"}"))
                .read()
                .status())
        .isEqualTo(415);
    assertThat(c.send(get("/person")).read().body())
        .isEqualTo(
            "{\"name\":\"Rootkit\",\"age\":99,\"sex\":true,"
                + "\"hobby\":[\"Coding\",\"Badminton\",\"Billiards\",\"Reading\",\"Guitar\"]}");
  }

  @ParameterizedTest(name = "{0} {1} -> {4}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          GET    | /nope              |                                   |                         | 404 | NOT_FOUND        | no route for GET /nope
          DELETE | /tasks             |                                   |                         | 405 | INVALID_ARGUMENT | DELETE not allowed
          POST   | /tasks/5           | application/json                  | {"name":"x"}            | 405 | INVALID_ARGUMENT | allowed: GET, HEAD, PUT, OPTIONS
          PUT    | /tasks/5           | text/plain                        | name=x                  | 415 | INVALID_ARGUMENT | unsupported content type text/plain
          PUT    | /tasks/5           | application/json                  | {"name":                | 400 | INVALID_ARGUMENT | malformed JSON
          PUT    | /tasks/5           | application/json                  | {"name":"a"} trailing   | 400 | INVALID_ARGUMENT | malformed JSON
          PUT    | /tasks/5           | application/json                  | [1,2]                   | 400 | INVALID_ARGUMENT | expected: a JSON object
          PUT    | /tasks/5           | application/json                  | {"name":5}              | 400 | INVALID_ARGUMENT | name: the number 5 (expected: a string)
          PUT    | /tasks/5           | application/json                  | {"name":"a","name":"b"} | 400 | INVALID_ARGUMENT | Duplicate field 'name'
          PUT    | /tasks/5           | application/x-www-form-urlencoded | data={name: task5}      | 400 | INVALID_ARGUMENT | malformed JSON in form field 'data'
          PUT    | /tasks/5           | application/json                  | {"name":"  "}           | 400 | INVALID_ARGUMENT | name: must not be blank
          GET    | /tasks/abc         |                                   |                         | 400 | INVALID_ARGUMENT | id: 'abc' (expected: a 64-bit integer)
          GET    | /tasks/99999999999999999999 |                          |                         | 400 | INVALID_ARGUMENT | id: '99999999999999999999'
          GET    | /tasks/-1          |                                   |                         | 400 | INVALID_ARGUMENT | id: -1 (expected: >= 0)
          GET    | /tasks/%zz         |                                   |                         | 400 | INVALID_ARGUMENT | malformed
          GET    | /tasks/42          |                                   |                         | 404 | NOT_FOUND        | 42
          POST   | /dating/eating     | application/json                  | {}                      | 400 | INVALID_ARGUMENT | food: must not be blank
          """)
  void badInput_isA4xxProblemAndTheConnectionKeepsServing(
      String method, String path, String type, String body, int status, String code, String detail)
      throws IOException {
    RawHttp c = connect(start());
    c.send(
        body == null
            ? method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"
            : request(method, path, type, body));
    RawHttp.Response r = c.read();
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.header("content-type")).isEqualTo("application/problem+json");
    JsonNode problem = json(r);
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("code").asText()).isEqualTo(code);
    assertThat(problem.get("title").asText()).isNotBlank();
    assertThat(problem.get("detail").asText()).contains(detail).doesNotContain("Exception");
    if (status == 405) {
      assertThat(r.header("allow")).contains("OPTIONS");
    }
    RawHttp.Response good = c.send(get("/tasks/1")).read();
    assertThat(good.status()).isEqualTo(200);
    assertThat(good.body()).isEqualTo("{\"id\":1,\"name\":\"task1\"}");
  }

  @Test
  void bodyOverTheLimit_is413AndTheServerKeepsServing() throws IOException {
    int port = start(RestTransport.builder().maxMessageBytes(64));
    RawHttp c = connect(port);
    RawHttp.Response r =
        c.send(
                request(
                    "PUT",
                    "/tasks/5",
                    "application/json",
                    "{\"name\":\"" + "x".repeat(100) + "\"}"))
            .read();
    assertThat(r.status()).isEqualTo(413);
    assertThat(json(r).get("code").asText()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(
            c.send(request("PUT", "/tasks/5", "application/json", "{\"name\":\"ok\"}"))
                .read()
                .status())
        .isEqualTo(201);
  }

  @Test
  void bodyBeyondTheBodyBudget_is503WithRetryAfter_andOthersAreServed() throws IOException {
    int port = start(RestTransport.builder().options(java.util.Map.of("maxBufferedBytes", "1KiB")));
    RawHttp c = connect(port);
    RawHttp.Response r =
        c.send(
                request(
                    "PUT",
                    "/tasks/5",
                    "application/json",
                    "{\"name\":\"" + "x".repeat(2000) + "\"}"))
            .read();
    assertThat(r.status()).isEqualTo(503);
    assertThat(json(r).get("code").asText()).isEqualTo("UNAVAILABLE");
    assertThat(r.header("retry-after")).isEqualTo("1");
    assertThat(c.closedByServer()).isTrue();
    RawHttp other = connect(port);
    assertThat(other.send(get("/tasks/1")).read().status()).isEqualTo(200);
    assertThat(
            other
                .send(request("PUT", "/tasks/5", "application/json", "{\"name\":\"ok\"}"))
                .read()
                .status())
        .isEqualTo(201);
  }

  @Test
  void headOptionsAndKeepAlive() throws IOException {
    RawHttp c = connect(start());
    RawHttp.Response head = c.send("HEAD /tasks HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
    assertThat(head.status()).isEqualTo(200);
    assertThat(Integer.parseInt(head.header("content-length"))).isGreaterThan(20);
    RawHttp.Response options = c.send("OPTIONS /tasks/5 HTTP/1.1\r\nHost: x\r\n\r\n").read();
    assertThat(options.status()).isEqualTo(204);
    assertThat(options.header("allow")).isEqualTo("GET, HEAD, PUT, OPTIONS");
    assertThat(options.header("access-control-allow-origin")).isNull();
    // Still the same connection: keep-alive held through all of it.
    assertThat(c.send(get("/tasks/2")).read().body()).contains("task2");
    assertThat(c.send(get("/openapi.json")).read().status()).isEqualTo(200);
  }

  @Test
  void cors_whenEnabled_answersPreflightAndTagsResponses() throws IOException {
    RawHttp c = connect(start(RestTransport.builder().cors("https://app.example")));
    RawHttp.Response pre =
        c.send(
                "OPTIONS /tasks/5 HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
                    + "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type\r\n\r\n")
            .read();
    assertThat(pre.status()).isEqualTo(204);
    assertThat(pre.header("access-control-allow-origin")).isEqualTo("https://app.example");
    assertThat(pre.header("access-control-allow-methods")).contains("PUT");
    RawHttp.Response put =
        c.send(
                "PUT /tasks/9 HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"name\":\"n\"}")
            .read();
    assertThat(put.status()).isEqualTo(201);
    assertThat(put.header("access-control-allow-origin")).isEqualTo("https://app.example");
    assertThat(put.header("access-control-expose-headers")).contains("Location");
  }

  @Test
  void serviceCode_runsOffTheEventLoop() throws IOException {
    AtomicReference<String> thread = new AtomicReference<>();
    DatingService recording =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            thread.set(Thread.currentThread().getName());
            return new Feel(true);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return new Feel(true);
          }
        };
    Server server =
        Transports.builder()
            .services(List.of(recording))
            .transport(RestTransport.builder().host("127.0.0.1").port(0).build())
            .start();
    cleanup.add(0, server);
    RawHttp c = connect(server.port("rest"));
    assertThat(
            c.send(request("POST", "/dating/eating", "application/json", "{\"food\":\"rice\"}"))
                .read()
                .status())
        .isEqualTo(200);
    assertThat(thread.get())
        .isNotNull()
        .doesNotContain("ipc-rest-worker")
        .doesNotContain("ipc-rest-boss");
  }

  @Test
  void slowHalfRequest_doesNotBlockOtherClients() throws Exception {
    int port = start();
    RawHttp slow = connect(port);
    slow.send(
        "PUT /tasks/77 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"name\":");
    try (RestClient client = RestClient.of("127.0.0.1", port)) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      for (int i = 0; i < 20; i++) {
        assertThat(tasks.get(1)).isEqualTo(new Task(1, "task1"));
      }
      assertThat(tasks.put(new Task(78, "other")).created()).isTrue();
    }
    slow.send("\"slow\"}");
    RawHttp.Response r = slow.read();
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.body()).isEqualTo("{\"id\":77,\"name\":\"slow\"}");
  }

  @Test
  void fiftyThreadsPuttingDistinctTasks_allListed() throws Exception {
    int port = start();
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try (RestClient client = RestClient.of("127.0.0.1", port)) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> puts = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        long id = 100L + i;
        puts.add(
            pool.submit(
                () -> {
                  go.await();
                  return tasks.put(new Task(id, "t" + id)).created();
                }));
      }
      go.countDown();
      for (Future<Boolean> f : puts) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
      }
      List<Task> listed = tasks.list();
      assertThat(listed).hasSize(53);
      for (int i = 0; i < 50; i++) {
        assertThat(listed).contains(new Task(100 + i, "t" + (100 + i)));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
