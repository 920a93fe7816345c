package dev.ipc.core.model;

import java.lang.invoke.MethodHandle;

/**
 * One field of a {@link RecordType}: its name, protobuf field number, type, and whether it is repeated
 * (a {@code List}) or non-null (GraphQL {@code !}). Immutable and thread-safe.
 */
public final class Field {
  private final String name;
  private final int number;
  private final int index;
  private final FieldType type;
  private final boolean repeated;
  private final boolean nonNull;
  private final RecordType<?> messageType;
  private final MethodHandle getter;

  Field(
      String name,
      int number,
      int index,
      FieldType type,
      boolean repeated,
      boolean nonNull,
      RecordType<?> messageType,
      MethodHandle getter) {
    this.name = name;
    this.number = number;
    this.index = index;
    this.type = type;
    this.repeated = repeated;
    this.nonNull = nonNull;
    this.messageType = messageType;
    this.getter = getter;
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

  /** Returns the element type. */
  public FieldType type() {
    return type;
  }

  /** Returns whether the value is a {@code List} of {@link #type()}. */
  public boolean repeated() {
    return repeated;
  }

  /** Returns whether GraphQL declares the field non-null. */
  public boolean nonNull() {
    return nonNull;
  }

  /** Returns the nested record's type when {@link #type()} is {@link FieldType#MESSAGE}, else null. */
  public RecordType<?> messageType() {
    return messageType;
  }

  /** Returns this field's value in {@code record}: boxed scalars, records, or a {@code List}. */
  public Object get(Object record) {
    try {
      return getter.invoke(record);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("reading " + name, t);
    }
  }

  Field withNonNull(boolean value) {
    return new Field(name, number, index, type, repeated, value, messageType, getter);
  }

  @Override
  public String toString() {
    return name + '=' + number + ':' + (repeated ? "repeated " : "") + type;
  }
}
