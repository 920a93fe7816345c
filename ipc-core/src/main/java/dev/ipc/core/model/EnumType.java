package dev.ipc.core.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Java {@code enum} described as data: its name and its constants in declaration order. A
 * constant's protobuf number is its position, so the first constant is proto3's default. Immutable
 * and thread-safe.
 */
public final class EnumType {
  private static final Map<Class<?>, EnumType> DERIVED = new ConcurrentHashMap<>();

  private final Class<? extends Enum<?>> javaType;
  private final String name;
  private final List<String> values;
  private final Enum<?>[] constants;

  private EnumType(Class<? extends Enum<?>> javaType) {
    this.javaType = javaType;
    this.name = javaType.getSimpleName();
    this.constants = javaType.getEnumConstants();
    List<String> names = new ArrayList<>(constants.length);
    for (Enum<?> c : constants) {
      names.add(c.name());
    }
    this.values = List.copyOf(names);
  }

  /** Describes an enum class. */
  @SuppressWarnings("unchecked")
  public static EnumType of(Class<?> type) {
    requireNonNull(type, "type");
    if (!type.isEnum()) {
      throw new IllegalArgumentException("type: " + type.getName() + " (expected: an enum)");
    }
    return DERIVED.computeIfAbsent(type, t -> new EnumType((Class<? extends Enum<?>>) t));
  }

  /** Returns the enum class. */
  public Class<? extends Enum<?>> javaType() {
    return javaType;
  }

  /** Returns the name of the protobuf enum and the GraphQL enum (the class's simple name). */
  public String name() {
    return name;
  }

  /**
   * Returns the constants' names in declaration order; the index of each is its protobuf number.
   */
  public List<String> values() {
    return values;
  }

  /** Returns the constant's name (its JSON and GraphQL form). */
  public String name(Object constant) {
    return ((Enum<?>) constant).name();
  }

  /** Returns the constant's protobuf number. */
  public int number(Object constant) {
    return ((Enum<?>) constant).ordinal();
  }

  /**
   * Returns the constant for a constant, its name or its protobuf number.
   *
   * @throws InvalidValueException naming {@code field} when there is no such constant
   */
  public Object constant(String field, Object value) {
    if (javaType.isInstance(value)) {
      return value;
    }
    if (value instanceof String s) {
      int i = values.indexOf(s);
      if (i >= 0) {
        return constants[i];
      }
    } else if (value instanceof Integer n && n >= 0 && n < constants.length) {
      return constants[n];
    }
    throw new InvalidValueException(
        field + ": " + value + " (expected: one of " + String.join(", ", values) + ")");
  }

  @Override
  public String toString() {
    return name + values;
  }
}
