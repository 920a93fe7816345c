package dev.ipc.core.model;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/** The Java types a field may have, and the conversions {@link RecordType#create} applies. */
final class Types {
  static final String SUPPORTED =
      "String, boolean, int, long, float, double (or their boxes), byte[], an enum, Instant, Duration,"
          + " BigDecimal, a record, or a List, Map<String, _> or Optional of one of these";

  /** JSON has no number for these; protobuf's JSON mapping and Jackson write them as strings. */
  private static final Map<String, Double> NON_FINITE =
      Map.of(
          "NaN", Double.NaN,
          "Infinity", Double.POSITIVE_INFINITY,
          "-Infinity", Double.NEGATIVE_INFINITY);

  private Types() {}

  static Field.Shape shape(
      Type type,
      String where,
      Set<Class<?>> visiting,
      BiFunction<Class<?>, Set<Class<?>>, RecordType<?>> records) {
    if (type instanceof Class<?> c) {
      if (c == List.class || c == Map.class || c == Optional.class || c == Collection.class) {
        throw new IllegalArgumentException(
            where
                + ": raw "
                + c.getSimpleName()
                + " (expected: type arguments, e.g. List<String>)");
      }
      return single(c, where, visiting, records, false);
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
      Type[] args = p.getActualTypeArguments();
      if (raw == List.class) {
        Field.Shape e = element(args[0], where, visiting, records);
        return new Field.Shape(
            e.type(),
            true,
            false,
            false,
            false,
            false,
            e.messageType(),
            e.enumType(),
            e.javaType());
      }
      if (raw == Map.class) {
        if (args[0] != String.class) {
          throw new IllegalArgumentException(
              where + ": " + type.getTypeName() + " (expected: a Map with String keys)");
        }
        Field.Shape e = element(args[1], where, visiting, records);
        return new Field.Shape(
            e.type(),
            false,
            true,
            false,
            false,
            false,
            e.messageType(),
            e.enumType(),
            e.javaType());
      }
      if (raw == Optional.class) {
        Field.Shape e = element(args[0], where, visiting, records);
        return new Field.Shape(
            e.type(), false, false, true, true, false, e.messageType(), e.enumType(), e.javaType());
      }
    }
    throw unsupported(where, type);
  }

  private static Field.Shape element(
      Type type,
      String where,
      Set<Class<?>> visiting,
      BiFunction<Class<?>, Set<Class<?>>, RecordType<?>> records) {
    if (!(type instanceof Class<?> c) || c == List.class || c == Map.class || c == Optional.class) {
      if (type instanceof GenericArrayType
          || type instanceof ParameterizedType
          || type instanceof Class<?>) {
        throw new IllegalArgumentException(
            where
                + ": "
                + type.getTypeName()
                + " (expected: no List, Map or Optional inside another)");
      }
      throw unsupported(where, type);
    }
    return single(c, where, visiting, records, true);
  }

  private static Field.Shape single(
      Class<?> c,
      String where,
      Set<Class<?>> visiting,
      BiFunction<Class<?>, Set<Class<?>>, RecordType<?>> records,
      boolean element) {
    FieldType t;
    boolean boxed = false;
    if (c == String.class) {
      t = FieldType.STRING;
    } else if (c == boolean.class || c == Boolean.class) {
      t = FieldType.BOOL;
      boxed = c == Boolean.class;
    } else if (c == int.class || c == Integer.class) {
      t = FieldType.INT32;
      boxed = c == Integer.class;
    } else if (c == long.class || c == Long.class) {
      t = FieldType.INT64;
      boxed = c == Long.class;
    } else if (c == float.class || c == Float.class) {
      t = FieldType.FLOAT;
      boxed = c == Float.class;
    } else if (c == double.class || c == Double.class) {
      t = FieldType.DOUBLE;
      boxed = c == Double.class;
    } else if (c == byte[].class) {
      t = FieldType.BYTES;
    } else if (c.isEnum()) {
      return new Field.Shape(
          FieldType.ENUM, false, false, false, false, false, null, EnumType.of(c), c);
    } else if (c == Instant.class) {
      t = FieldType.TIMESTAMP;
    } else if (c == Duration.class) {
      t = FieldType.DURATION;
    } else if (c == BigDecimal.class) {
      t = FieldType.DECIMAL;
    } else if (c.isRecord()) {
      return new Field.Shape(
          FieldType.MESSAGE,
          false,
          false,
          false,
          false,
          false,
          records.apply(c, visiting),
          null,
          c);
    } else {
      throw unsupported(where, c);
    }
    // A box is optional on its own; inside a List or Map, elements are never null.
    return new Field.Shape(
        t, false, false, boxed && !element, false, c.isPrimitive(), null, null, c);
  }

  private static IllegalArgumentException unsupported(String where, Type type) {
    return new IllegalArgumentException(
        where + ": " + type.getTypeName() + " (expected: " + SUPPORTED + ")");
  }

  /** Converts a non-null value for field {@code f} to the Java value its record holds. */
  static Object convert(Field f, Object v) {
    Object value;
    if (f.repeated()) {
      if (!(v instanceof Collection<?> list)) {
        throw wrongType(f, v);
      }
      List<Object> copy = new ArrayList<>(list.size());
      for (Object e : list) {
        if (e == null) {
          throw new InvalidValueException(f.name() + ": null element (expected: " + kind(f) + ")");
        }
        copy.add(element(f, e));
      }
      value = Collections.unmodifiableList(copy);
    } else if (f.map()) {
      if (!(v instanceof Map<?, ?> m)) {
        throw wrongType(f, v);
      }
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new InvalidValueException(
              f.name() + ": key " + e.getKey() + " (expected: a string)");
        }
        if (e.getValue() == null) {
          throw new InvalidValueException(
              f.name() + "." + key + ": null (expected: " + kind(f) + ")");
        }
        copy.put(key, element(f, e.getValue()));
      }
      value = Collections.unmodifiableMap(copy);
    } else {
      value = element(f, v);
    }
    return f.wrapped() ? Optional.of(value) : value;
  }

  private static Object element(Field f, Object v) {
    switch (f.type()) {
      case STRING -> {
        if (v instanceof String) {
          return v;
        }
      }
      case BOOL -> {
        if (v instanceof Boolean) {
          return v;
        }
      }
      case INT32 -> {
        if (v instanceof Integer) {
          return v;
        }
        if (v instanceof Long
            || v instanceof Short
            || v instanceof Byte
            || v instanceof BigInteger) {
          BigInteger b =
              v instanceof BigInteger bi ? bi : BigInteger.valueOf(((Number) v).longValue());
          if (b.bitLength() > 31) {
            throw new InvalidValueException(f.name() + ": " + b + " (expected: a 32-bit integer)");
          }
          return b.intValue();
        }
      }
      case INT64 -> {
        if (v instanceof Long) {
          return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
          return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b) {
          if (b.bitLength() > 63) {
            throw new InvalidValueException(f.name() + ": " + b + " (expected: a 64-bit integer)");
          }
          return b.longValue();
        }
      }
      case FLOAT -> {
        if (v instanceof Number n) {
          return n.floatValue();
        }
        if (v instanceof String s && NON_FINITE.containsKey(s)) {
          return NON_FINITE.get(s).floatValue();
        }
      }
      case DOUBLE -> {
        if (v instanceof Number n) {
          return n.doubleValue();
        }
        if (v instanceof String s && NON_FINITE.containsKey(s)) {
          return NON_FINITE.get(s);
        }
      }
      case BYTES -> {
        if (v instanceof byte[]) {
          return v;
        }
        if (v instanceof String s) {
          return base64(f, s);
        }
      }
      case ENUM -> {
        return f.enumType().constant(f.name(), v);
      }
      case TIMESTAMP -> {
        if (v instanceof Instant) {
          return v;
        }
        if (v instanceof String s) {
          return instant(f, s);
        }
      }
      case DURATION -> {
        if (v instanceof Duration) {
          return v;
        }
        if (v instanceof String s) {
          return duration(f, s);
        }
      }
      case DECIMAL -> {
        if (v instanceof BigDecimal d) {
          return decimal(f, d);
        }
        if (v instanceof String s) {
          try {
            return decimal(f, new BigDecimal(s));
          } catch (NumberFormatException e) {
            throw new InvalidValueException(f.name() + ": " + s + " (expected: a decimal number)");
          }
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
          return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof BigInteger b) {
          return new BigDecimal(b);
        }
        if (v instanceof Double || v instanceof Float) {
          double d = ((Number) v).doubleValue();
          if (Double.isFinite(d)) {
            return BigDecimal.valueOf(d);
          }
        }
      }
      case MESSAGE -> {
        if (f.messageType().javaType().isInstance(v)) {
          return v;
        }
        if (v instanceof Map<?, ?> m) {
          @SuppressWarnings("unchecked")
          Map<String, ?> map = (Map<String, ?>) m;
          return f.messageType().create(map);
        }
      }
    }
    throw wrongType(f, v);
  }

  /** Decimals with more digits than this either side of the point are refused. */
  static final int MAX_DECIMAL_DIGITS = 1000;

  /**
   * Refuses a decimal whose plain form would be huge: "1e999999999" is 12 characters on the wire
   * but a billion digits once written out, as every JSON encoder here does.
   */
  private static BigDecimal decimal(Field f, BigDecimal d) {
    int integerDigits = d.precision() - d.scale();
    if (Math.abs(d.scale()) > MAX_DECIMAL_DIGITS || integerDigits > MAX_DECIMAL_DIGITS) {
      throw new InvalidValueException(
          f.name()
              + ": a decimal of "
              + d.precision()
              + " digits and scale "
              + d.scale()
              + " (expected: at most "
              + MAX_DECIMAL_DIGITS
              + " digits either side of the point)");
    }
    return d;
  }

  private static byte[] base64(Field f, String s) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      try {
        // protobuf's JSON mapping accepts the URL-safe alphabet too.
        return Base64.getUrlDecoder().decode(s);
      } catch (IllegalArgumentException again) {
        throw new InvalidValueException(f.name() + ": not base64 (expected: base64 bytes)");
      }
    }
  }

  private static Instant instant(Field f, String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidValueException(
          f.name() + ": " + s + " (expected: an RFC 3339 timestamp, e.g. 2026-12-05T10:15:30Z)");
    }
  }

  private static Duration duration(Field f, String s) {
    try {
      if (s.endsWith("s") && !s.startsWith("P") && !s.startsWith("-P")) {
        // protobuf JSON's form: seconds with up to nine decimals and an "s".
        BigDecimal seconds = new BigDecimal(s.substring(0, s.length() - 1));
        return Duration.ofSeconds(
            seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
      }
      return Duration.parse(s);
    } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
      throw new InvalidValueException(
          f.name() + ": " + s + " (expected: an ISO-8601 duration, e.g. PT1.5S)");
    }
  }

  static InvalidValueException wrongType(Field f, Object v) {
    return new InvalidValueException(
        f.name() + ": " + v.getClass().getSimpleName() + " (expected: " + kind(f) + ")");
  }

  static String kind(Field f) {
    String t =
        switch (f.type()) {
          case STRING -> "string";
          case BOOL -> "boolean";
          case INT32 -> "32-bit integer";
          case INT64 -> "64-bit integer";
          case FLOAT, DOUBLE -> "number";
          case BYTES -> "base64 bytes";
          case ENUM -> "one of " + String.join(", ", f.enumType().values());
          case TIMESTAMP -> "RFC 3339 timestamp";
          case DURATION -> "ISO-8601 duration";
          case DECIMAL -> "decimal string";
          case MESSAGE -> f.messageType().name() + " object";
        };
    return f.repeated() ? "list of " + t : f.map() ? "map of " + t : t;
  }
}
