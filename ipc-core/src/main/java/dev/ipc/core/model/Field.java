package dev.ipc.core.model;

import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * One field of a {@link RecordType}: its name, protobuf field number, type, and its shape: one
 * value, a {@code List} ({@link #repeated()}) or a {@code Map<String, T>} ({@link #map()}),
 * optional or not. Immutable and thread-safe.
 *
 * <p>{@link #get} returns the value in the form {@link FieldType} names for each type (an {@code
 * Optional} unwrapped to its value or null); {@link RecordType#create} takes the same forms.
 */
public final class Field {
  private final String name;
  private final int number;
  private final int index;
  private final FieldType type;
  private final boolean repeated;
  private final boolean map;
  private final boolean optional;
  private final boolean wrapped;
  private final boolean nonNull;
  private final RecordType<?> messageType;
  private final EnumType enumType;
  private final MethodHandle getter;

  Field(String name, int number, int index, Shape shape, boolean nonNull, MethodHandle getter) {
    this.name = name;
    this.number = number;
    this.index = index;
    this.type = shape.type();
    this.repeated = shape.repeated();
    this.map = shape.map();
    this.optional = shape.optional();
    this.wrapped = shape.wrapped();
    this.nonNull = nonNull;
    this.messageType = shape.messageType();
    this.enumType = shape.enumType();
    this.getter = getter;
  }

  private Field(Field f, boolean nonNull) {
    this.name = f.name;
    this.number = f.number;
    this.index = f.index;
    this.type = f.type;
    this.repeated = f.repeated;
    this.map = f.map;
    this.optional = f.optional;
    this.wrapped = f.wrapped;
    this.nonNull = nonNull;
    this.messageType = f.messageType;
    this.enumType = f.enumType;
    this.getter = f.getter;
  }

  /** Returns the field's name, as in JSON, GraphQL and the {@code .proto}. */
  public String name() {
    return name;
  }

  /** Returns the protobuf field number (declaration order, from 1). */
  public int number() {
    return number;
  }

  /** Returns the position of this field in {@link RecordType#fields()} and the constructor. */
  public int index() {
    return index;
  }

  /** Returns the element type (of each list element or map value when repeated or a map). */
  public FieldType type() {
    return type;
  }

  /** Returns whether the value is a {@code List} of {@link #type()}. */
  public boolean repeated() {
    return repeated;
  }

  /**
   * Returns whether the value is a {@code Map} from {@code String} keys to {@link #type()}:
   * protobuf {@code map<string, T>}, a JSON object, a GraphQL list of {@code {key, value}} entries.
   */
  public boolean map() {
    return map;
  }

  /**
   * Returns whether the field may have no value, told apart from the type's default: a boxed
   * primitive ({@code Integer}) or an {@code Optional<T>}. protobuf declares it {@code optional};
   * JSON omits it or sends null; {@link #get} returns null for it.
   */
  public boolean optional() {
    return optional;
  }

  /** Returns whether GraphQL declares the field non-null. */
  public boolean nonNull() {
    return nonNull;
  }

  /**
   * Returns the nested record's type when {@link #type()} is {@link FieldType#MESSAGE}, else null.
   */
  public RecordType<?> messageType() {
    return messageType;
  }

  /** Returns the enum's description when {@link #type()} is {@link FieldType#ENUM}, else null. */
  public EnumType enumType() {
    return enumType;
  }

  /**
   * Returns this field's value in {@code record}: see {@link FieldType} for each type's Java value;
   * a {@code List} when repeated, a {@code Map} when a map; null for an empty {@code Optional}.
   */
  public Object get(Object record) {
    Object value;
    try {
      value = getter.invoke(record);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("reading " + name, t);
    }
    return wrapped && value instanceof Optional<?> o ? o.orElse(null) : value;
  }

  /** Returns whether the Java value is an {@code Optional} (so {@link RecordType#create} wraps). */
  boolean wrapped() {
    return wrapped;
  }

  Field withNonNull(boolean value) {
    return new Field(this, value);
  }

  @Override
  public String toString() {
    String prefix = repeated ? "repeated " : map ? "map " : optional ? "optional " : "";
    return name + '=' + number + ':' + prefix + type;
  }

  /** What a Java type maps to, before it has a name and a number. */
  record Shape(
      FieldType type,
      boolean repeated,
      boolean map,
      boolean optional,
      boolean wrapped,
      boolean primitive,
      RecordType<?> messageType,
      EnumType enumType,
      Class<?> javaType) {}
}
