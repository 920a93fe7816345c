package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.ServiceException;
import dev.ipc.core.model.RecordType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link JsonCodec#readObject} streams flat request bodies instead of building a tree; it must give the
 * same values, and the same errors, as reading the tree.
 */
class JsonCodecTest {
  record Inner(String x) {}

  record Sample(String s, boolean b, int i, long l, double d, List<String> tags, Inner inner) {}

  private static final RecordType<Sample> TYPE = RecordType.of(Sample.class);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"s\":\"text\",\"b\":true,\"i\":7,\"l\":9007199254740993,\"d\":1.5}",
        "{\"s\": \"spaces \\u00e9\" , \"unknown\": 1, \"b\": false}",
        "{\"i\":\"42\",\"l\":\"-5\"}",
        "{\"d\":3,\"i\":-0}",
        "{}",
        "  {\"s\":null}  ",
        "{\"i\":2147483648}",
        "{\"l\":123456789012345678901234567890}",
        "{\"i\":1.5}",
        "{\"s\":5}",
        "{\"b\":\"true\"}",
        "{\"i\":\"x\"}",
        "{\"s\":\"a\",\"s\":\"b\"}",
        "{\"s\":\"a\"} trailing",
        "{\"s\":\"a\"}{}",
        "{\"s\":\"a\"",
        "{\"s\" \"a\"}",
        "[1,2]",
        "\"just a string\"",
        "42",
        "null",
        "{\"tags\":[\"a\",\"b\"],\"inner\":{\"x\":\"y\"}}",
        "{\"tags\":\"a\"}",
        "{\"inner\":[]}",
        "{\"unknown\":{\"deep\":[1,{}]},\"s\":\"kept\"}",
        "{\"i\":1,\"s\":2}",
      })
  void readObject_sameValuesAndErrorsAsTheTree(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThat(outcome(() -> {
          Map<String, Object> v = new LinkedHashMap<>();
          JsonCodec.readObject(TYPE, bytes, v, "request body");
          return v;
        }))
        .isEqualTo(outcome(() -> {
          Map<String, Object> v = new LinkedHashMap<>();
          JsonCodec.readFields(TYPE, JsonCodec.parse(bytes, "request body"), v, "request body");
          return v;
        }));
  }

  /** The values read, in field order, or the error's code and message. */
  private static String outcome(java.util.function.Supplier<Map<String, Object>> read) {
    try {
      Map<String, Object> values = read.get();
      StringBuilder sb = new StringBuilder("values:");
      for (var f : TYPE.fields()) {
        if (values.containsKey(f.name())) {
          Object v = values.get(f.name());
          sb.append(' ').append(f.name()).append('=').append(v).append(v == null ? "" : " (" + v.getClass().getSimpleName() + ")");
        }
      }
      return sb.toString();
    } catch (ServiceException e) {
      return "error: " + e.code() + " " + e.getMessage();
    }
  }
}
