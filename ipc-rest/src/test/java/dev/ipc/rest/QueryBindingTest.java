package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Transports;
import dev.ipc.core.annotation.Rest;
import dev.ipc.core.testing.Genre;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A GET operation whose plain parameters have every scalar type, bound from the path ({@code
 * {day}}) and the query string (repeated parameters for lists), by a raw HTTP client and by {@link
 * RestClient}.
 */
@Timeout(60)
class QueryBindingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every scalar type, one of each, and lists of scalars. */
  @SuppressWarnings("ArrayRecordComponent") // byte[] is one of the types under test
  public record Scalars(
      Instant day,
      String s,
      boolean b,
      int i,
      long l,
      float f,
      double d,
      Genre g,
      Duration dur,
      BigDecimal dec,
      byte[] raw,
      Integer boxed,
      List<String> tags,
      List<Genre> genres,
      List<Long> ids) {}

  /** Answers its parameters as they arrived. */
  public interface Probe {
    @Rest(path = "/probe/{day}")
    Scalars scalars(
        Instant day,
        String s,
        boolean b,
        int i,
        long l,
        float f,
        double d,
        Genre g,
        Duration dur,
        BigDecimal dec,
        byte[] raw,
        Integer boxed,
        List<String> tags,
        List<Genre> genres,
        List<Long> ids);
  }

  private static final class Echo implements Probe {
    @Override
    public Scalars scalars(
        Instant day,
        String s,
        boolean b,
        int i,
        long l,
        float f,
        double d,
        Genre g,
        Duration dur,
        BigDecimal dec,
        byte[] raw,
        Integer boxed,
        List<String> tags,
        List<Genre> genres,
        List<Long> ids) {
      return new Scalars(day, s, b, i, l, f, d, g, dur, dec, raw, boxed, tags, genres, ids);
    }
  }

  private Server server;

  @BeforeEach
  void start() {
    server = Transports.serve(List.of(new Echo()), "rest://127.0.0.1:0");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port("rest") + pathAndQuery))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyScalar_fromTheQueryString_andThePath() throws Exception {
    HttpResponse<String> r =
        get(
            "/probe/2026-12-05T10:15:30Z?s=caf%C3%A9+%26&b=true&i=-7&l=9007199254740993&f=1.5&d=0.1"
                + "&g=SCIENCE&dur=PT1.5S&dec=12.50&raw=AAH_f4A&boxed=0&tags=a&tags=b"
                + "&genres=NOVEL&genres=POETRY&ids=1&ids=-2&unknown=ignored");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()))
        .isEqualTo(
            JSON.readTree(
                """
                {"day":"2026-12-05T10:15:30Z","s":"café &","b":true,"i":-7,"l":9007199254740993,
                 "f":1.5,"d":0.1,"g":"SCIENCE","dur":"PT1.5S","dec":"12.50","raw":"AAH/f4A=","boxed":0,
                 "tags":["a","b"],"genres":["NOVEL","POETRY"],"ids":[1,-2]}"""));
  }

  @Test
  void absentParameters_takeTheirDefaults() throws Exception {
    HttpResponse<String> r = get("/probe/2026-12-05T10:15:30.5%2B01:00");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(r.body());
    assertThat(answer.get("day").asText()).isEqualTo("2026-12-05T09:15:30.500Z");
    assertThat(answer.get("s").isNull()).isTrue();
    assertThat(answer.get("i").asInt()).isZero();
    assertThat(answer.get("boxed").isNull()).isTrue();
    assertThat(answer.get("tags")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          /probe/today                      | day: 'today' (expected: an RFC 3339 timestamp
          /probe/2026-12-05T10:15:30Z?b=yes | b: 'yes' (expected: true or false)
          /probe/2026-12-05T10:15:30Z?f=1e39 | f: 1e39 (expected: a 32-bit float)
          /probe/2026-12-05T10:15:30Z?d=0x1p3 | d: '0x1p3' (expected: a number)
          /probe/2026-12-05T10:15:30Z?g=HORROR | g: 'HORROR' (expected: one of NOVEL, POETRY, SCIENCE)
          /probe/2026-12-05T10:15:30Z?dur=1h | dur: '1h' (expected: an ISO-8601 duration
          /probe/2026-12-05T10:15:30Z?dec=1,5 | dec: '1,5' (expected: a decimal number
          /probe/2026-12-05T10:15:30Z?raw=!! | raw: '!!' (expected: base64 bytes)
          /probe/2026-12-05T10:15:30Z?ids=1&ids=x | ids: 'x' (expected: a 64-bit integer)
          """)
  void wrongParameter_is400NamingIt(String pathAndQuery, String detail) throws Exception {
    HttpResponse<String> r = get(pathAndQuery);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode problem = JSON.readTree(r.body());
    assertThat(problem.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(problem.get("detail").asText()).contains(detail);
  }

  @Test
  void restClient_sendsEveryScalarThroughThePathAndQueryString() {
    try (RestClient client = RestClient.of("127.0.0.1", server.port("rest"))) {
      Probe probe = client.service(Probe.class);
      // Characters a query string or path treats specially: '+', '/', '=', '&', '%', '?', '#', ' '.
      byte[] raw = {(byte) 0xfb, (byte) 0xff, (byte) 0xbf, 0, 61};
      Instant day = Instant.parse("2026-12-05T10:15:30.123456789Z");
      Scalars sent =
          new Scalars(
              day,
              "a+b/c=d&e%f?g#h i ✓",
              true,
              Integer.MIN_VALUE,
              Long.MAX_VALUE,
              -0.25f,
              4.9e-324,
              Genre.POETRY,
              Duration.ofSeconds(-3, 5),
              new BigDecimal("-0.000000000000000000001"),
              raw,
              42,
              List.of("x&y", "", "z=1"),
              List.of(Genre.SCIENCE),
              List.of(Long.MIN_VALUE, 0L));
      Scalars back =
          probe.scalars(
              sent.day(),
              sent.s(),
              sent.b(),
              sent.i(),
              sent.l(),
              sent.f(),
              sent.d(),
              sent.g(),
              sent.dur(),
              sent.dec(),
              sent.raw(),
              sent.boxed(),
              sent.tags(),
              sent.genres(),
              sent.ids());
      assertThat(back).usingRecursiveComparison().isEqualTo(sent);
      assertThat(back.raw()).containsExactly(raw);
      assertThat(back.dec().toPlainString()).isEqualTo("-0.000000000000000000001");

      Scalars nulls =
          probe.scalars(
              day,
              null,
              false,
              0,
              0,
              Float.NEGATIVE_INFINITY,
              Double.NaN,
              null,
              null,
              null,
              null,
              null,
              List.of(),
              List.of(),
              List.of());
      assertThat(nulls.s()).isNull();
      assertThat(nulls.boxed()).isNull();
      assertThat(nulls.g()).isNull();
      assertThat(nulls.f()).isEqualTo(Float.NEGATIVE_INFINITY);
      assertThat(nulls.d()).isNaN();

      assertThatThrownBy(
              () ->
                  probe.scalars(
                      null, null, false, 0, 0, 0, 0, null, null, null, null, null, List.of(),
                      List.of(), List.of()))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("day: null");
              });
    }
  }
}
