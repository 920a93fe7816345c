package dev.ipc.socketio;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between described records and the plain JSON values ({@code Map}, {@code List}, strings,
 * numbers, booleans) Socket.IO payloads carry, and builds the acknowledgement's error object. The
 * one place where the ack convention of {@link SocketIoTransport} is spelled out on the server.
 */
final class Values {
  /** The second ack argument of a create-or-replace that created its value. */
  static final Map<String, Object> CREATED = Map.of("created", true);

  private Values() {}

  /**
   * Returns the request record of {@code type} from an event payload (absent, null or an object).
   */
  static Object request(RecordType<?> type, Object payload) {
    if (payload == null) {
      return type.create(Map.of());
    }
    if (payload instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<String, ?> fields = (Map<String, ?>) map;
      return type.create(fields);
    }
    throw ServiceException.invalidArgument(
        "payload: "
            + kind(payload)
            + " (expected: a JSON object with the fields "
            + names(type)
            + ")");
  }

  /** Returns the JSON form of an operation's answer or published value (a list for many()). */
  static Object output(Operation<?, ?, ?> operation, Object value) {
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object e : list) {
        out.add(record(operation.output(), e));
      }
      return out;
    }
    return record(operation.output(), value);
  }

  /**
   * Returns {@code record} as a map of field name to JSON value, in field order: the JSON forms
   * REST uses too (see {@link #json}); a field without a value is null, which netty-socketio's JSON
   * writer leaves out.
   */
  static Map<String, Object> record(RecordType<?> type, Object record) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Field f : type.fields()) {
      out.put(f.name(), field(f, f.get(record)));
    }
    return out;
  }

  /**
   * Returns the JSON form of field {@code f}'s value {@code v} (a list, an object, or one value).
   */
  private static Object field(Field f, Object v) {
    if (v == null) {
      return null;
    }
    if (f.repeated()) {
      List<?> list = (List<?>) v;
      List<Object> items = new ArrayList<>(list.size());
      for (Object e : list) {
        items.add(json(f, e));
      }
      return items;
    }
    if (f.map()) {
      Map<?, ?> map = (Map<?, ?>) v;
      Map<String, Object> entries = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        entries.put((String) e.getKey(), json(f, e.getValue()));
      }
      return entries;
    }
    return json(f, v);
  }

  /**
   * Returns the JSON form of one non-null value of {@code f}'s element type. Bytes are base64
   * strings (standard alphabet, padded), not binary attachments: netty-socketio would otherwise
   * move them out of the JSON. Enums are their constant's name, instants RFC 3339 strings,
   * durations ISO-8601 strings, decimals their plain digits as a string (a JSON number would lose
   * precision in JavaScript), nested records objects.
   */
  static Object json(Field f, Object v) {
    return switch (f.type()) {
      case BYTES -> Base64.getEncoder().encodeToString((byte[]) v);
      case ENUM -> f.enumType().name(v);
      case TIMESTAMP, DURATION -> v.toString();
      case DECIMAL -> ((BigDecimal) v).toPlainString();
      case MESSAGE -> record(f.messageType(), v);
      default -> v;
    };
  }

  /**
   * Returns the ack argument for a failure: {@code {"error":{"code":"NOT_FOUND","message":"..."}}}.
   */
  /**
   * Returns a namespace connect's {@code auth} payload as a read-only map: empty when the client
   * sent none, or sent something else than a JSON object.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> auth(Object token) {
    if (token instanceof Map<?, ?> m) {
      return java.util.Collections.unmodifiableMap((Map<String, Object>) m);
    }
    return Map.of();
  }

  static Map<String, Object> error(ServiceException e) {
    return error(e.code(), e.getMessage());
  }

  /** Returns the ack argument for a failure with {@code code} and client-safe {@code message}. */
  static Map<String, Object> error(ErrorCode code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code.name());
    body.put("message", message);
    return Map.of("error", body);
  }

  /** Returns a short, printable form of a client-chosen name for messages. */
  static String shown(String name) {
    String s = name.length() > 64 ? name.substring(0, 64) + "..." : name;
    return s.replaceAll("\\p{Cntrl}", "?");
  }

  static String kind(Object v) {
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Number) {
      return "a number";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof List<?>) {
      return "an array";
    }
    return "a " + v.getClass().getSimpleName();
  }

  private static List<String> names(RecordType<?> type) {
    List<String> names = new ArrayList<>();
    for (Field f : type.fields()) {
      names.add(f.name());
    }
    return names;
  }
}
