package dev.ipc.socketio;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between described records and the plain JSON values ({@code Map}, {@code List}, strings,
 * numbers, booleans) Socket.IO payloads carry, and builds the acknowledgement's error object. The one
 * place where the ack convention of {@link SocketIoTransport} is spelled out on the server.
 */
final class Values {
  /** The second ack argument of a create-or-replace that created its value. */
  static final Map<String, Object> CREATED = Map.of("created", true);

  private Values() {}

  /** Returns the request record of {@code type} from an event payload (absent, null or an object). */
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
        "payload: " + kind(payload) + " (expected: a JSON object with the fields " + names(type) + ")");
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

  /** Returns {@code record} as a map of field name to JSON value, in field order. */
  static Map<String, Object> record(RecordType<?> type, Object record) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Field f : type.fields()) {
      Object v = f.get(record);
      if (f.type() == FieldType.MESSAGE && v != null) {
        if (v instanceof List<?> list) {
          List<Object> items = new ArrayList<>(list.size());
          for (Object e : list) {
            items.add(record(f.messageType(), e));
          }
          v = items;
        } else {
          v = record(f.messageType(), v);
        }
      }
      out.put(f.name(), v);
    }
    return out;
  }

  /** Returns the ack argument for a failure: {@code {"error":{"code":"NOT_FOUND","message":"..."}}}. */
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

  private static String kind(Object v) {
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
