package dev.ipc.socketio;

import static dev.ipc.socketio.Processes.assertJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * What library.js and library.py must have received: the acks of every Library event, in the JSON
 * forms REST uses too (base64 bytes, RFC 3339 instants, ISO-8601 durations, decimal strings, maps
 * as objects; a field without a value is left out, as netty-socketio writes no nulls).
 */
final class LibraryAcks {
  /** The fixture's BOOK as the server answers it. */
  static final String BOOK =
      "{\"id\":7,\"title\":\"Dune\",\"genre\":\"NOVEL\",\"tags\":[\"sf\",\"classic\"],"
          + "\"props\":{\"lang\":\"en\",\"pages\":\"412\"},\"published\":\"1965-08-01T00:00:00Z\","
          + "\"isbn\":\"978-0441013593\",\"cover\":\"AAEC+v8=\"}";

  /** The fixture's EDITION as the server answers it: normalized, defaults filled in. */
  static final String EDITION =
      "{\"inPrint\":true,\"pages\":412,\"rating\":4.25,\"weight\":0.75,\"printing\":3,"
          + "\"copies\":5000000000,\"signed\":false,\"readingTime\":\"PT1H30M1.5S\",\"price\":\"12.50\","
          + "\"shelf\":\"POETRY\",\"retired\":\"2026-12-05T10:15:30Z\","
          + "\"book\":{\"id\":1,\"title\":\"Dune\",\"genre\":\"NOVEL\",\"tags\":[],\"props\":{},"
          + "\"cover\":\"/+8=\"},"
          + "\"related\":[{\"id\":2,\"title\":\"Poems\",\"genre\":\"POETRY\",\"tags\":[\"verse\"],"
          + "\"props\":{}}],"
          + "\"translations\":{\"fr\":{\"id\":3,\"title\":\"Dune (fr)\",\"tags\":[],"
          + "\"props\":{\"lang\":\"fr\"}}},"
          + "\"counts\":{\"a\":1,\"b\":2},\"genres\":[\"SCIENCE\",\"NOVEL\"],\"ids\":[1,5000000000]}";

  /** An empty Edition as the server answers it: primitives 0/false, lists and maps empty. */
  static final String EMPTY_EDITION =
      "{\"inPrint\":false,\"pages\":0,\"rating\":0,\"weight\":0,"
          + "\"related\":[],\"translations\":{},\"counts\":{},\"genres\":[],\"ids\":[]}";

  private LibraryAcks() {}

  /**
   * Asserts the RESULT of library.js or library.py: each member is the list of an ack's arguments.
   */
  static void assertAcks(JsonNode r) throws IOException {
    assertJson(r.get("add"), "[" + BOOK + "]");
    assertJson(r.get("get"), "[" + BOOK + "]");
    assertJson(r.get("search"), "[[" + BOOK + "]]");
    assertError(r.get("badEnum"), "genre: HORROR (expected: one of NOVEL, POETRY, SCIENCE)");
    assertJson(
        r.get("put"),
        "[{\"id\":9,\"title\":\"Cosmos\",\"genre\":\"SCIENCE\",\"tags\":[],\"props\":{}},"
            + "{\"created\":true}]");
    assertJson(r.get("remove"), "[{}]");
    assertJson(r.get("echo"), "[" + EDITION + "]");
    assertJson(r.get("echoEmpty"), "[" + EMPTY_EDITION + "]");
    assertError(r.get("blank"), "title: must not be blank");
    assertError(r.get("wrongType"), "pages: String (expected: 32-bit integer)");
    assertError(r.get("badBytes"), "cover: not base64");
  }

  private static void assertError(JsonNode ack, String message) {
    assertThat(ack.size()).as("ack %s", ack).isEqualTo(1);
    JsonNode error = ack.get(0).get("error");
    assertThat(error).as("ack %s", ack).isNotNull();
    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("message").asText()).contains(message);
  }
}
