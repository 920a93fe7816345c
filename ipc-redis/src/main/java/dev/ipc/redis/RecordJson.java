package dev.ipc.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.RecordType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a described record into a JSON tree and back, through its {@link RecordType} only (never
 * its Java class), exactly: every value {@link dev.ipc.core.model.FieldType} names comes back
 * equal. The format is this module's own (node to node, both ipc); it follows the REST mapping
 * where it can, but keeps what JSON would round: decimals keep their scale, floats their NaN and
 * infinities.
 */
final class RecordJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private RecordJson() {}

  /** Returns {@code value} (a record of {@code type}, or a list of them) as JSON. */
  static JsonNode encodeValue(RecordType<?> type, Object value) {
    if (value instanceof List<?> list) {
      ArrayNode array = NODES.arrayNode(list.size());
      for (Object item : list) {
        array.add(encode(type, item));
      }
      return array;
    }
    return encode(type, value);
  }

  /** Reads what {@link #encodeValue} wrote. */
  static Object decodeValue(RecordType<?> type, JsonNode json) {
    if (json.isArray()) {
      List<Object> list = new ArrayList<>(json.size());
      for (JsonNode item : json) {
        list.add(decode(type, item));
      }
      return List.copyOf(list);
    }
    return decode(type, json);
  }

  static ObjectNode encode(RecordType<?> type, Object record) {
    ObjectNode object = NODES.objectNode();
    for (Field f : type.fields()) {
      Object v = f.get(record);
      if (v == null) {
        continue; // absent: decoding gives the field its default, as create() does for null
      }
      if (f.repeated()) {
        ArrayNode array = object.putArray(f.name());
        for (Object item : (List<?>) v) {
          array.add(item == null ? NODES.nullNode() : scalar(f, item));
        }
      } else if (f.map()) {
        ObjectNode map = object.putObject(f.name());
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          map.set(
              (String) e.getKey(),
              e.getValue() == null ? NODES.nullNode() : scalar(f, e.getValue()));
        }
      } else {
        object.set(f.name(), scalar(f, v));
      }
    }
    return object;
  }

  static Object decode(RecordType<?> type, JsonNode json) {
    if (!json.isObject()) {
      throw new IllegalArgumentException(
          type.name() + ": expected an object, got " + json.getNodeType());
    }
    Object[] values = new Object[type.fields().size()];
    for (Field f : type.fields()) {
      JsonNode v = json.get(f.name());
      if (v == null || v.isNull()) {
        continue;
      }
      if (f.repeated()) {
        List<Object> list = new ArrayList<>(v.size());
        for (JsonNode item : v) {
          list.add(item.isNull() ? null : scalar(f, item));
        }
        values[f.index()] = list;
      } else if (f.map()) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          map.put(e.getKey(), e.getValue().isNull() ? null : scalar(f, e.getValue()));
        }
        values[f.index()] = map;
      } else {
        values[f.index()] = scalar(f, v);
      }
    }
    return type.create(values);
  }

  private static JsonNode scalar(Field f, Object v) {
    return switch (f.type()) {
      case STRING -> NODES.textNode((String) v);
      case BOOL -> NODES.booleanNode((Boolean) v);
      case INT32 -> NODES.numberNode((Integer) v);
      case INT64 -> NODES.numberNode((Long) v);
      // JSON has no NaN or infinity: those travel as Java's own names, read back by parseFloat.
      case FLOAT ->
          Float.isFinite((Float) v) ? NODES.numberNode((Float) v) : NODES.textNode(v.toString());
      case DOUBLE ->
          Double.isFinite((Double) v) ? NODES.numberNode((Double) v) : NODES.textNode(v.toString());
      case BYTES -> NODES.textNode(Base64.getEncoder().encodeToString((byte[]) v));
      case ENUM -> NODES.textNode(f.enumType().name(v));
      case TIMESTAMP -> NODES.textNode(v.toString());
      case DURATION -> NODES.textNode(v.toString());
      // toString keeps the scale ("0.00" stays "0.00"), which a JSON number would lose.
      case DECIMAL -> NODES.textNode(v.toString());
      case MESSAGE -> encode(f.messageType(), v);
    };
  }

  private static Object scalar(Field f, JsonNode v) {
    return switch (f.type()) {
      case STRING -> v.textValue();
      case BOOL -> v.booleanValue();
      case INT32 -> v.intValue();
      case INT64 -> v.longValue();
      // The number's text is the shortest one naming the float, so parsing it gives the float back.
      case FLOAT -> Float.parseFloat(v.isTextual() ? v.textValue() : v.asText());
      case DOUBLE -> Double.parseDouble(v.isTextual() ? v.textValue() : v.asText());
      case BYTES -> Base64.getDecoder().decode(v.textValue());
      case ENUM -> f.enumType().constant(f.name(), v.textValue());
      case TIMESTAMP -> Instant.parse(v.textValue());
      case DURATION -> Duration.parse(v.textValue());
      case DECIMAL -> new BigDecimal(v.textValue());
      case MESSAGE -> decode(f.messageType(), v);
    };
  }
}
