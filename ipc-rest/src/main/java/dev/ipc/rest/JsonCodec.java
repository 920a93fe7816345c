package dev.ipc.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
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
import dev.ipc.core.model.RecordType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes any record as JSON through its {@link RecordType}: field names as keys, 64-bit
 * integers as JSON numbers; never through Jackson's class-based binding. Decoding errors are
 * INVALID_ARGUMENT exceptions that say which field was wrong.
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

  private static void writeRecord(JsonGenerator g, RecordType<?> type, Object record) throws IOException {
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
      case DOUBLE -> g.writeNumber((Double) v);
      case MESSAGE -> writeRecord(g, f.messageType(), v);
    }
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
      message += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
    return message;
  }

  /**
   * Puts the values of {@code type}'s fields found in JSON object {@code node} into {@code values};
   * unknown members are ignored. Nested records become maps {@link RecordType#create(Map)} accepts.
   */
  static void readFields(RecordType<?> type, JsonNode node, Map<String, Object> values, String what) {
    if (!node.isObject()) {
      throw ServiceException.invalidArgument(
          what + ": " + kind(node) + " (expected: a JSON object with fields of " + type.name() + ")");
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
   * parse(json, what), values, what)} does, but without building a tree of the whole body when it is a
   * flat object (the common request body): each member is one small node. Anything else (nested
   * members, malformed JSON, duplicate or trailing content) goes the tree way, so values and error
   * messages are the same either way.
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
   * Returns the members of a flat, well-formed JSON object by field index (null where absent), or null
   * when {@code json} is anything else.
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
      case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
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
    return type.create(values);
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
            throw ServiceException.invalidArgument(path + ": " + n.asText() + " (expected: a 32-bit integer)");
          }
          return n.intValue();
        }
        if (n.isTextual()) {
          return parseText(f, n.textValue(), path);
        }
      }
      case INT64 -> {
        if (n.isIntegralNumber()) {
          if (!n.canConvertToLong()) {
            throw ServiceException.invalidArgument(path + ": " + n.asText() + " (expected: a 64-bit integer)");
          }
          return n.longValue();
        }
        if (n.isTextual()) {
          // proto3's JSON mapping writes 64-bit integers as strings; accept them too.
          return parseText(f, n.textValue(), path);
        }
      }
      case DOUBLE -> {
        if (n.isNumber()) {
          return n.doubleValue();
        }
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
    throw wrong(path, n, expected(f));
  }

  /**
   * Converts a text value (a path segment, query or form parameter) to the field's type, or throws
   * INVALID_ARGUMENT naming the field.
   */
  static Object parseText(Field f, String text, String path) {
    try {
      switch (f.type()) {
        case STRING -> {
          return text;
        }
        case BOOL -> {
          if (text.equalsIgnoreCase("true")) {
            return true;
          }
          if (text.equalsIgnoreCase("false")) {
            return false;
          }
        }
        case INT32 -> {
          return Integer.parseInt(text.trim());
        }
        case INT64 -> {
          return Long.parseLong(text.trim());
        }
        case DOUBLE -> {
          return Double.parseDouble(text.trim());
        }
        case MESSAGE -> {
          // a message has no text form: refused below
        }
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw ServiceException.invalidArgument(path + ": '" + shorten(text) + "' (expected: " + expected(f) + ")");
  }

  private static ServiceException wrong(String path, JsonNode n, String expected) {
    return ServiceException.invalidArgument(path + ": " + kind(n) + " (expected: " + expected + ")");
  }

  private static String expected(Field f) {
    return switch (f.type()) {
      case STRING -> "a string";
      case BOOL -> "true or false";
      case INT32 -> "a 32-bit integer";
      case INT64 -> "a 64-bit integer";
      case DOUBLE -> "a number";
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
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
