package dev.ipc.core.model;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A message type described as data: a name and ordered {@link Field}s, with a way to read fields
 * from a value and to build a value from field values. Adapters encode and decode any record
 * through this, never through its Java class. Immutable and thread-safe.
 *
 * <p>Most message types describe a Java record. The request of an operation whose method takes
 * plain parameters ({@code get(long id)}) is a message too, with one field per parameter; its Java
 * value is the argument array ({@code Object[]}), which adapters never look into but through its
 * fields.
 *
 * @param <T> the Java record it describes ({@code Object[]} for a method's parameters)
 */
public final class RecordType<T> {
  private static final Map<Class<?>, RecordType<?>> DERIVED = new ConcurrentHashMap<>();

  private final Class<T> javaType;
  private final String name;
  private final List<Field> fields;
  private final Map<String, Field> byName;
  private final MethodHandle constructor;
  private final Object[] defaults;

  private RecordType(
      Class<T> javaType,
      String name,
      List<Field> fields,
      MethodHandle constructor,
      Object[] defaults) {
    this.javaType = javaType;
    this.name = name;
    this.fields = List.copyOf(fields);
    Map<String, Field> map = new LinkedHashMap<>();
    for (Field f : fields) {
      map.put(f.name(), f);
    }
    this.byName = Map.copyOf(map);
    this.constructor = constructor;
    this.defaults = defaults;
  }

  /**
   * Describes a record class from its components, in declaration order: field numbers count from 1;
   * see {@link FieldType} for the types a component may have, each alone, in a {@code List}, in a
   * {@code Map<String, T>} or in an {@code Optional}. The name is the class's simple name.
   *
   * @throws IllegalArgumentException naming the component if it has a type no transport can carry
   */
  @SuppressWarnings("unchecked")
  public static <T extends Record> RecordType<T> of(Class<T> type) {
    requireNonNull(type, "type");
    RecordType<?> known = DERIVED.get(type);
    if (known == null) {
      known = derive(type, new HashSet<>());
      DERIVED.putIfAbsent(type, known);
    }
    return (RecordType<T>) known;
  }

  /**
   * Like {@link #of(Class)}, with another message name (for example the one a {@code .proto}
   * fixes).
   */
  public static <T extends Record> RecordType<T> of(Class<T> type, String name) {
    return of(type).named(name);
  }

  static RecordType<?> ofAny(Class<?> type) {
    RecordType<?> known = DERIVED.get(type);
    if (known == null) {
      known = derive(type, new HashSet<>());
      DERIVED.putIfAbsent(type, known);
    }
    return known;
  }

  private static <T> RecordType<T> derive(Class<T> type, Set<Class<?>> visiting) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException("type: " + type.getName() + " (expected: a record)");
    }
    if (!visiting.add(type)) {
      throw new IllegalArgumentException(
          "type: " + type.getName() + " (expected: no recursive records)");
    }
    RecordComponent[] components = type.getRecordComponents();
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    List<Field> fields = new ArrayList<>(components.length);
    Class<?>[] parameterTypes = new Class<?>[components.length];
    Object[] defaults = new Object[components.length];
    try {
      for (int i = 0; i < components.length; i++) {
        RecordComponent c = components[i];
        parameterTypes[i] = c.getType();
        Field.Shape shape = shape(c.getGenericType(), type.getName() + "." + c.getName(), visiting);
        defaults[i] = defaultValue(shape);
        Method accessor = c.getAccessor();
        accessor.setAccessible(true);
        MethodHandle getter =
            lookup.unreflect(accessor).asType(MethodType.methodType(Object.class, Object.class));
        fields.add(new Field(c.getName(), i + 1, i, shape, shape.primitive(), getter));
      }
      Constructor<T> ctor = type.getDeclaredConstructor(parameterTypes);
      ctor.setAccessible(true);
      MethodHandle constructor =
          lookup
              .unreflectConstructor(ctor)
              .asType(MethodType.methodType(Object.class, parameterTypes).generic())
              .asSpreader(Object[].class, components.length);
      return new RecordType<>(type, type.getSimpleName(), fields, constructor, defaults);
    } catch (ReflectiveOperationException | SecurityException e) {
      throw new IllegalArgumentException(
          "type: " + type.getName() + " (not accessible: open its package to ipc-core)", e);
    } finally {
      visiting.remove(type);
    }
  }

  /**
   * Describes a method's parameters as one message named {@code name}: one field per parameter, in
   * order, whose Java value is the argument array.
   *
   * @param where names the method in error messages
   */
  static RecordType<Object[]> parameters(
      String name, String where, List<String> names, List<Type> types) {
    List<Field> fields = new ArrayList<>(names.size());
    Object[] defaults = new Object[names.size()];
    MethodHandle element = MethodHandles.arrayElementGetter(Object[].class);
    for (int i = 0; i < names.size(); i++) {
      Field.Shape shape =
          shape(types.get(i), where + " parameter " + names.get(i), new HashSet<>());
      defaults[i] = defaultValue(shape);
      MethodHandle getter =
          MethodHandles.insertArguments(element, 1, i)
              .asType(MethodType.methodType(Object.class, Object.class));
      fields.add(new Field(names.get(i), i + 1, i, shape, shape.primitive(), getter));
    }
    // The argument array is the value: create() has already converted and copied each argument.
    MethodHandle identity =
        MethodHandles.identity(Object[].class)
            .asType(MethodType.methodType(Object.class, Object[].class));
    return new RecordType<>(Object[].class, name, fields, identity, defaults);
  }

  /**
   * Maps one Java type to a field shape.
   *
   * @param where names the component or parameter in error messages
   */
  static Field.Shape shape(Type type, String where, Set<Class<?>> visiting) {
    return Types.shape(type, where, visiting, RecordType::nested);
  }

  private static RecordType<?> nested(Class<?> type, Set<Class<?>> visiting) {
    RecordType<?> known = DERIVED.get(type);
    return known != null ? known : derive(type, visiting);
  }

  private static Object defaultValue(Field.Shape s) {
    if (s.repeated()) {
      return List.of();
    }
    if (s.map()) {
      return Map.of();
    }
    if (s.wrapped()) {
      return java.util.Optional.empty();
    }
    if (!s.primitive()) {
      return null;
    }
    return switch (s.type()) {
      case BOOL -> false;
      case INT32 -> 0;
      case INT64 -> 0L;
      case FLOAT -> 0.0f;
      case DOUBLE -> 0.0d;
      default -> null;
    };
  }

  /** Returns the Java class this type describes ({@code Object[]} for a method's parameters). */
  public Class<T> javaType() {
    return javaType;
  }

  /** Returns the message name (the protobuf message, the GraphQL type). */
  public String name() {
    return name;
  }

  /** Returns the fields in declaration order. */
  public List<Field> fields() {
    return fields;
  }

  /** Returns the field with this name, or null. */
  public Field field(String fieldName) {
    return byName.get(fieldName);
  }

  /** Returns a copy with another message name. */
  public RecordType<T> named(String newName) {
    requireNonNull(newName, "newName");
    return new RecordType<>(javaType, newName, fields, constructor, defaults);
  }

  /** Returns a copy whose named fields GraphQL declares non-null ({@code String!}). */
  public RecordType<T> withNonNull(String... fieldNames) {
    return withNullability(true, fieldNames);
  }

  /** Returns a copy whose named fields GraphQL declares nullable even if primitive. */
  public RecordType<T> withNullable(String... fieldNames) {
    return withNullability(false, fieldNames);
  }

  private RecordType<T> withNullability(boolean nonNull, String... fieldNames) {
    Set<String> names = new HashSet<>(Arrays.asList(fieldNames));
    List<Field> copy = new ArrayList<>(fields.size());
    for (Field f : fields) {
      copy.add(names.remove(f.name()) ? f.withNonNull(nonNull) : f);
    }
    if (!names.isEmpty()) {
      throw new IllegalArgumentException(
          "fieldNames: " + names + " (expected: fields of " + name + ")");
    }
    return new RecordType<>(javaType, name, copy, constructor, defaults);
  }

  /**
   * Builds a value from field values in field order. A null stands for the field's default (0,
   * false, empty list or map, empty {@code Optional}, else null). Besides each type's Java value
   * ({@link FieldType}), it takes what JSON decoders produce: any integral number within range, a
   * string for enums, bytes (base64), instants (RFC 3339), durations (ISO-8601, or protobuf JSON's
   * {@code "1.5s"}) and decimals, a {@code Map} for a nested record; lists and maps are copied.
   *
   * @throws InvalidValueException naming the field if a value has the wrong type or is out of
   *     range, or the record's own constructor rejects the values
   */
  public T create(Object... values) {
    if (values.length != fields.size()) {
      throw new IllegalArgumentException(
          "values: " + values.length + " (expected: " + fields.size() + " for " + name + ")");
    }
    Object[] args = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      Field f = fields.get(i);
      Object v = values[i];
      args[i] = v == null ? defaults[i] : Types.convert(f, v);
    }
    try {
      @SuppressWarnings("unchecked")
      T value = (T) constructor.invokeExact(args);
      return value;
    } catch (InvalidValueException e) {
      throw e;
    } catch (IllegalArgumentException | NullPointerException e) {
      // A record's own compact constructor rejected the values: the caller's mistake.
      throw new InvalidValueException(name + ": " + e.getMessage());
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("constructing " + name, t);
    }
  }

  /** Builds a value from a map of field name to value; absent fields take their defaults. */
  public T create(Map<String, ?> values) {
    Object[] args = new Object[fields.size()];
    for (Field f : fields) {
      args[f.index()] = values.get(f.name());
    }
    return create(args);
  }

  @Override
  public String toString() {
    return name + fields;
  }
}
