package dev.ipc.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.InvalidValueException;
import dev.ipc.core.model.RecordType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Encodes and decodes any record as JSON through its {@link RecordType}, never through Jackson's
 * class-based binding. Decoding errors are INVALID_ARGUMENT exceptions that say which field was
 * wrong.
 *
 * <p>Each {@link FieldType} as JSON:
 *
 * <ul>
 *   <li>STRING a string; BOOL {@code true}/{@code false};
 *   <li>INT32, INT64 numbers (64-bit integers too; a string of digits is also read, as proto3's
 *       JSON mapping writes them);
 *   <li>FLOAT, DOUBLE numbers; {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"} as
 *       strings;
 *   <li>BYTES a base64 string, standard alphabet with padding (the URL-safe alphabet is read too);
 *   <li>ENUM the constant's name ({@code "NOVEL"}; its protobuf number is read too);
 *   <li>TIMESTAMP an RFC 3339 string ({@code "2026-12-05T10:15:30Z"}, {@link Instant#toString()});
 *   <li>DURATION an ISO-8601 string ({@code "PT1.5S"}, {@link Duration#toString()}; protobuf JSON's
 *       {@code "1.5s"} is read too);
 *   <li>DECIMAL a string of the plain digits ({@code "12.50"}, {@link BigDecimal#toPlainString()}):
 *       a JSON number would pass through binary floating point in most clients and lose digits. A
 *       JSON number is read too (an integer exactly, a fraction as the double it parses to);
 *   <li>MESSAGE a nested object; a list a JSON array; a map a JSON object.
 * </ul>
 *
 * <p>A field without a value (an empty {@code Optional}, a null box or reference) is written as
 * {@code null}, as null strings always were, so every field of a type is always present in answers;
 * on input, {@code null} and an absent member both mean "no value" (the field's default).
 *
 * <p>Query strings, path segments and form fields carry the same text forms, unquoted ({@link
 * #text}, {@link #parseText}); a repeated field is the parameter repeated ({@code ?tags=a&tags=b}).
 */
final class JsonCodec {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private JsonCodec() {}

  // Encoding

  /** Returns {@code record} as a JSON object. */
  static byte[] encode(RecordType<?> type, Object record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      writeRecord(g, type, record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Returns {@code records} as a JSON array of objects. */
  static byte[] encodeList(RecordType<?> type, List<?> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 32 * records.size());
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartArray();
      for (Object r : records) {
        writeRecord(g, type, r);
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeRecord(JsonGenerator g, RecordType<?> type, Object record)
      throws IOException {
    g.writeStartObject();
    for (Field f : type.fields()) {
      Object v = f.get(record);
      g.writeFieldName(f.name());
      if (v == null) {
        g.writeNull();
      } else if (f.repeated()) {
        g.writeStartArray();
        for (Object e : (List<?>) v) {
          writeScalar(g, f, e);
        }
        g.writeEndArray();
      } else if (f.map()) {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          g.writeFieldName((String) e.getKey());
          writeScalar(g, f, e.getValue());
        }
        g.writeEndObject();
      } else {
        writeScalar(g, f, v);
      }
    }
    g.writeEndObject();
  }

  private static void writeScalar(JsonGenerator g, Field f, Object v) throws IOException {
    switch (f.type()) {
      case STRING -> g.writeString((String) v);
      case BOOL -> g.writeBoolean((Boolean) v);
      case INT32 -> g.writeNumber((Integer) v);
      case INT64 -> g.writeNumber((Long) v);
      // Jackson quotes NaN and the infinities (QUOTE_NON_NUMERIC_NUMBERS): still valid JSON.
      case FLOAT -> g.writeNumber((Float) v);
      case DOUBLE -> g.writeNumber((Double) v);
      case BYTES, ENUM, TIMESTAMP, DURATION, DECIMAL -> g.writeString(text(f, v));
      case MESSAGE -> writeRecord(g, f.messageType(), v);
    }
  }

  /**
   * Returns the text form of one value of {@code f} (an element when repeated): what JSON holds,
   * unquoted. Query strings and path segments carry it.
   */
  static String text(Field f, Object v) {
    return switch (f.type()) {
      case BYTES -> Base64.getEncoder().encodeToString((byte[]) v);
      case ENUM -> f.enumType().name(v);
      // Plain digits: "1E+3" is valid but surprises every reader and most parsers of "decimal".
      case DECIMAL -> ((BigDecimal) v).toPlainString();
      // Instant.toString() is RFC 3339 (UTC, "Z"); Duration.toString() is ISO-8601 ("PT1.5S").
      default -> String.valueOf(v);
    };
  }

  // Decoding

  /** Parses {@code json} into a tree, or throws INVALID_ARGUMENT saying where it is malformed. */
  static JsonNode parse(byte[] json, String what) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw ServiceException.invalidArgument(what + ": empty (expected: a JSON object)");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw ServiceException.invalidArgument("malformed JSON in " + what + ": " + describe(e));
    } catch (IOException e) {
      throw ServiceException.invalidArgument("unreadable " + what);
    }
  }

  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    int nl = message.indexOf('\n');
    if (nl >= 0) {
      message = message.substring(0, nl);
    }
    if (e.getLocation() != null) {
      message +=
          " (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")";
    }
    return message;
  }

  /**
   * Puts the values of {@code type}'s fields found in JSON object {@code node} into {@code values};
   * unknown members are ignored. Nested records become maps {@link RecordType#create(Map)} accepts.
   */
  static void readFields(
      RecordType<?> type, JsonNode node, Map<String, Object> values, String what) {
    if (!node.isObject()) {
      throw ServiceException.invalidArgument(
          what
              + ": "
              + kind(node)
              + " (expected: a JSON object with fields of "
              + type.name()
              + ")");
    }
    for (Field f : type.fields()) {
      JsonNode member = node.get(f.name());
      if (member != null) {
        values.put(f.name(), value(f, member, f.name()));
      }
    }
  }

  /**
   * Reads the JSON object {@code json} into {@code values}, exactly as {@code readFields(type,
   * parse(json, what), values, what)} does, but without building a tree of the whole body when it
   * is a flat object (the common request body): each member is one small node. Anything else
   * (nested members, malformed JSON, duplicate or trailing content) goes the tree way, so values
   * and error messages are the same either way.
   */
  static void readObject(RecordType<?> type, byte[] json, Map<String, Object> values, String what) {
    JsonNode[] members = flatMembers(type, json);
    if (members == null) {
      readFields(type, parse(json, what), values, what);
      return;
    }
    List<Field> fields = type.fields();
    for (int i = 0; i < members.length; i++) {
      if (members[i] != null) {
        Field f = fields.get(i);
        values.put(f.name(), value(f, members[i], f.name()));
      }
    }
  }

  /**
   * Returns the members of a flat, well-formed JSON object by field index (null where absent), or
   * null when {@code json} is anything else.
   */
  private static JsonNode[] flatMembers(RecordType<?> type, byte[] json) {
    List<Field> fields = type.fields();
    JsonNode[] members = new JsonNode[fields.size()];
    try (JsonParser p = MAPPER.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonNode node = scalarNode(p, p.nextToken());
        if (node == null) {
          return null;
        }
        for (int i = 0; i < members.length; i++) {
          if (fields.get(i).name().equals(name)) {
            members[i] = node;
            break;
          }
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
      return members;
    } catch (IOException e) {
      return null; // malformed: the tree way says where
    }
  }

  /** Returns the node the tree way builds for scalar token {@code t}, or null for anything else. */
  private static JsonNode scalarNode(JsonParser p, JsonToken t) throws IOException {
    if (t == null) {
      return null;
    }
    return switch (t) {
      case VALUE_STRING -> TextNode.valueOf(p.getText());
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> IntNode.valueOf(p.getIntValue());
            case LONG -> LongNode.valueOf(p.getLongValue());
            default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(p.getDoubleValue());
      case VALUE_TRUE -> BooleanNode.TRUE;
      case VALUE_FALSE -> BooleanNode.FALSE;
      case VALUE_NULL -> NullNode.getInstance();
      default -> null;
    };
  }

  /** Returns a record of {@code type} from JSON object {@code node}. */
  static Object readRecord(RecordType<?> type, JsonNode node, String what) {
    Map<String, Object> values = new LinkedHashMap<>();
    readFields(type, node, values, what);
    try {
      return type.create(values);
    } catch (InvalidValueException e) {
      throw ServiceException.from(e);
    }
  }

  private static Object value(Field f, JsonNode n, String path) {
    if (n.isNull()) {
      return null;
    }
    if (f.repeated()) {
      if (!n.isArray()) {
        throw wrong(path, n, "a JSON array");
      }
      List<Object> list = new ArrayList<>(n.size());
      for (int i = 0; i < n.size(); i++) {
        JsonNode e = n.get(i);
        if (e.isNull()) {
          throw wrong(path + "[" + i + "]", e, expected(f));
        }
        list.add(scalar(f, e, path + "[" + i + "]"));
      }
      return list;
    }
    if (f.map()) {
      if (!n.isObject()) {
        throw wrong(path, n, "a JSON object (values: " + expected(f) + ")");
      }
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        String at = path + "." + e.getKey();
        if (e.getValue().isNull()) {
          throw wrong(at, e.getValue(), expected(f));
        }
        map.put(e.getKey(), scalar(f, e.getValue(), at));
      }
      return map;
    }
    return scalar(f, n, path);
  }

  private static Object scalar(Field f, JsonNode n, String path) {
    switch (f.type()) {
      case STRING -> {
        if (n.isTextual()) {
          return n.textValue();
        }
      }
      case BOOL -> {
        if (n.isBoolean()) {
          return n.booleanValue();
        }
      }
      case INT32 -> {
        if (n.isIntegralNumber()) {
          if (!n.canConvertToInt()) {
            throw ServiceException.invalidArgument(
                path + ": " + n.asText() + " (expected: a 32-bit integer)");
          }
          return n.intValue();
        }
      }
      case INT64 -> {
        if (n.isIntegralNumber()) {
          if (!n.canConvertToLong()) {
            throw ServiceException.invalidArgument(
                path + ": " + n.asText() + " (expected: a 64-bit integer)");
          }
          return n.longValue();
        }
      }
      case FLOAT -> {
        if (n.isNumber()) {
          return toFloat(n.doubleValue(), n.asText(), path);
        }
      }
      case DOUBLE -> {
        if (n.isNumber()) {
          return n.doubleValue();
        }
      }
      case ENUM -> {
        if (n.isIntegralNumber() && n.canConvertToInt()) {
          // proto3's JSON mapping reads an enum's number too.
          try {
            return f.enumType().constant(path, n.intValue());
          } catch (InvalidValueException e) {
            // No such number: the INVALID_ARGUMENT this codec answers for every misfit.
            throw ServiceException.from(e);
          }
        }
      }
      case DECIMAL -> {
        if (n.isIntegralNumber()) {
          return n.decimalValue();
        }
        if (n.isNumber()) {
          // Already a binary double: its shortest decimal form is the best there is. Send a string.
          return BigDecimal.valueOf(n.doubleValue());
        }
      }
      case BYTES, TIMESTAMP, DURATION -> {
        // Only as strings: below.
      }
      case MESSAGE -> {
        if (n.isObject()) {
          Map<String, Object> nested = new LinkedHashMap<>();
          for (Field sub : f.messageType().fields()) {
            JsonNode member = n.get(sub.name());
            if (member != null) {
              nested.put(sub.name(), value(sub, member, path + "." + sub.name()));
            }
          }
          return nested;
        }
      }
    }
    if (n.isTextual() && f.type() != FieldType.BOOL && f.type() != FieldType.MESSAGE) {
      // Numbers as strings (proto3's JSON mapping writes 64-bit integers so), and every type whose
      // JSON form is a string.
      return parseText(f, n.textValue(), path);
    }
    throw wrong(path, n, expected(f));
  }

  /**
   * Converts a text value (a path segment, a query or form parameter, a JSON string) to the field's
   * type, or throws INVALID_ARGUMENT naming the field.
   */
  static Object parseText(Field f, String text, String path) {
    if (f.type() == FieldType.STRING) {
      return text;
    }
    Object value = fromText(f, text.trim(), path);
    if (value == null) {
      throw ServiceException.invalidArgument(
          path + ": '" + shorten(text) + "' (expected: " + expected(f) + ")");
    }
    return value;
  }

  /** Returns the value {@code text} stands for, or null when it is malformed. */
  private static Object fromText(Field f, String text, String path) {
    try {
      switch (f.type()) {
        case BOOL -> {
          if (text.equalsIgnoreCase("true")) {
            return true;
          }
          if (text.equalsIgnoreCase("false")) {
            return false;
          }
        }
        case INT32 -> {
          return Integer.parseInt(text);
        }
        case INT64 -> {
          return Long.parseLong(text);
        }
        case FLOAT -> {
          Double d = parseDouble(text);
          return d == null ? null : toFloat(d, text, path);
        }
        case DOUBLE -> {
          return parseDouble(text);
        }
        case BYTES -> {
          return base64(text);
        }
        case ENUM -> {
          // Names only: a number in a query string is more likely a mistake than a proto number.
          return f.enumType().values().contains(text) ? f.enumType().constant(path, text) : null;
        }
        case TIMESTAMP -> {
          return OffsetDateTime.parse(text).toInstant();
        }
        case DURATION -> {
          return duration(text);
        }
        case DECIMAL -> {
          return new BigDecimal(text);
        }
        case STRING -> {
          return text;
        }
        case MESSAGE -> {
          // a message has no text form: refused below
        }
      }
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      // malformed: the caller's message says what was expected
    }
    return null;
  }

  /**
   * Reads a double as JSON writes it: a JSON number (no hex, no {@code d} suffix, no spaces), or
   * {@code NaN}, {@code Infinity}, {@code -Infinity}; null when malformed or out of range.
   */
  private static Double parseDouble(String text) {
    switch (text) {
      case "NaN" -> {
        return Double.NaN;
      }
      case "Infinity" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-Infinity" -> {
        return Double.NEGATIVE_INFINITY;
      }
      default -> {
        double d = new BigDecimal(text).doubleValue();
        return Double.isInfinite(d) ? null : d;
      }
    }
  }

  private static Float toFloat(double d, String text, String path) {
    float v = (float) d;
    if (Float.isInfinite(v) && !Double.isInfinite(d)) {
      throw ServiceException.invalidArgument(
          path + ": " + shorten(text) + " (expected: a 32-bit float)");
    }
    return v;
  }

  /** Decodes standard base64 with or without padding, or the URL-safe alphabet; null if neither. */
  private static byte[] base64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      try {
        // protobuf's JSON mapping reads the URL-safe alphabet too; it also survives a query string.
        return Base64.getUrlDecoder().decode(text);
      } catch (IllegalArgumentException again) {
        return null;
      }
    }
  }

  /** Reads ISO-8601 ({@code PT1.5S}) or protobuf JSON's seconds ({@code 1.5s}). */
  private static Duration duration(String text) {
    if (text.endsWith("s") && !text.startsWith("P") && !text.startsWith("-P")) {
      BigDecimal seconds = new BigDecimal(text.substring(0, text.length() - 1));
      return Duration.ofSeconds(
          seconds.longValue(),
          seconds.remainder(BigDecimal.ONE).movePointRight(9).longValueExact());
    }
    return Duration.parse(text);
  }

  private static ServiceException wrong(String path, JsonNode n, String expected) {
    return ServiceException.invalidArgument(
        path + ": " + kind(n) + " (expected: " + expected + ")");
  }

  /** Says what one value (an element when repeated or a map) of {@code f} must be. */
  private static String expected(Field f) {
    return switch (f.type()) {
      case STRING -> "a string";
      case BOOL -> "true or false";
      case INT32 -> "a 32-bit integer";
      case INT64 -> "a 64-bit integer";
      case FLOAT, DOUBLE -> "a number";
      case BYTES -> "base64 bytes";
      case ENUM -> "one of " + String.join(", ", f.enumType().values());
      case TIMESTAMP -> "an RFC 3339 timestamp, e.g. 2026-12-05T10:15:30Z";
      case DURATION -> "an ISO-8601 duration, e.g. PT1.5S";
      case DECIMAL -> "a decimal number as a string, e.g. \"12.50\"";
      case MESSAGE -> "a " + f.messageType().name() + " object";
    };
  }

  private static String kind(JsonNode n) {
    if (n.isTextual()) {
      return "the string \"" + shorten(n.textValue()) + "\"";
    }
    if (n.isNumber()) {
      return "the number " + shorten(n.asText());
    }
    if (n.isBoolean()) {
      return n.asText();
    }
    if (n.isArray()) {
      return "an array";
    }
    if (n.isObject()) {
      return "an object";
    }
    return n.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
