package dev.ipc.core.model;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.ServiceException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A message type described as data: a name and ordered {@link Field}s, with a way to read fields from a
 * value and to build a value from field values. Adapters encode and decode any record through this,
 * never through its Java class. Immutable and thread-safe.
 *
 * @param <T> the Java record it describes
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
      Class<T> javaType, String name, List<Field> fields, MethodHandle constructor, Object[] defaults) {
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
   * Describes a record class from its components, in declaration order: field numbers count from 1,
   * {@code List<X>} is a repeated field, a nested record is a message, primitives are non-null. The
   * name is the class's simple name.
   *
   * @throws IllegalArgumentException if a component has a type no transport can carry
   */
  @SuppressWarnings("unchecked")
  public static <T extends Record> RecordType<T> of(Class<T> type) {
    requireNonNull(type, "type");
    RecordType<?> known = DERIVED.get(type);
    if (known == null) {
      known = derive(type, type.getSimpleName(), new HashSet<>());
      DERIVED.putIfAbsent(type, known);
    }
    return (RecordType<T>) known;
  }

  /** Like {@link #of(Class)}, with another message name (for example the one a {@code .proto} fixes). */
  public static <T extends Record> RecordType<T> of(Class<T> type, String name) {
    return of(type).named(name);
  }

  private static <T> RecordType<T> derive(Class<T> type, String name, Set<Class<?>> visiting) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException("type: " + type.getName() + " (expected: a record)");
    }
    if (!visiting.add(type)) {
      throw new IllegalArgumentException("type: " + type.getName() + " (expected: no recursive records)");
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
        defaults[i] = defaultValue(c.getType());
        boolean repeated = List.class.isAssignableFrom(c.getType());
        Class<?> element = repeated ? listElement(type, c) : c.getType();
        FieldType fieldType = fieldType(type, c.getName(), element);
        RecordType<?> messageType =
            fieldType == FieldType.MESSAGE ? derive(element, element.getSimpleName(), visiting) : null;
        Method accessor = c.getAccessor();
        accessor.setAccessible(true);
        MethodHandle getter =
            lookup.unreflect(accessor).asType(MethodType.methodType(Object.class, Object.class));
        fields.add(
            new Field(
                c.getName(),
                i + 1,
                i,
                fieldType,
                repeated,
                c.getType().isPrimitive(),
                messageType,
                getter));
      }
      Constructor<T> ctor = type.getDeclaredConstructor(parameterTypes);
      ctor.setAccessible(true);
      MethodHandle constructor =
          lookup
              .unreflectConstructor(ctor)
              .asType(MethodType.methodType(Object.class, parameterTypes).generic())
              .asSpreader(Object[].class, components.length);
      return new RecordType<>(type, name, fields, constructor, defaults);
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("type: " + type.getName() + " (not accessible)", e);
    } finally {
      visiting.remove(type);
    }
  }

  private static Class<?> listElement(Class<?> owner, RecordComponent c) {
    Type generic = c.getGenericType();
    if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> e) {
      return e;
    }
    throw new IllegalArgumentException(
        owner.getName() + "." + c.getName() + ": " + generic + " (expected: List<concrete type>)");
  }

  private static FieldType fieldType(Class<?> owner, String field, Class<?> t) {
    if (t == String.class) {
      return FieldType.STRING;
    }
    if (t == boolean.class || t == Boolean.class) {
      return FieldType.BOOL;
    }
    if (t == int.class || t == Integer.class) {
      return FieldType.INT32;
    }
    if (t == long.class || t == Long.class) {
      return FieldType.INT64;
    }
    if (t == double.class || t == Double.class) {
      return FieldType.DOUBLE;
    }
    if (t.isRecord()) {
      return FieldType.MESSAGE;
    }
    throw new IllegalArgumentException(
        owner.getName()
            + "."
            + field
            + ": "
            + t.getName()
            + " (expected: String, boolean, int, long, double, a record, or a List of these)");
  }

  private static Object defaultValue(Class<?> t) {
    if (t == boolean.class) {
      return false;
    }
    if (t == int.class) {
      return 0;
    }
    if (t == long.class) {
      return 0L;
    }
    if (t == double.class) {
      return 0.0d;
    }
    return null;
  }

  /** Returns the Java class this type describes. */
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
      throw new IllegalArgumentException("fieldNames: " + names + " (expected: fields of " + name + ")");
    }
    return new RecordType<>(javaType, name, copy, constructor, defaults);
  }

  /**
   * Builds a value from field values in field order. A null stands for the field's default (0, false,
   * empty list); numbers are converted to the field's width; lists are copied.
   *
   * @throws ServiceException with INVALID_ARGUMENT if a value has the wrong type or is out of range
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
      if (v == null) {
        args[i] = f.repeated() ? List.of() : defaults[i];
      } else if (f.repeated()) {
        if (!(v instanceof Collection<?> list)) {
          throw wrongType(f, v);
        }
        List<Object> copy = new ArrayList<>(list.size());
        for (Object e : list) {
          if (e == null) {
            throw ServiceException.invalidArgument(f.name() + ": null element (expected: " + kind(f) + ")");
          }
          copy.add(coerce(f, e));
        }
        args[i] = List.copyOf(copy);
      } else {
        args[i] = coerce(f, v);
      }
    }
    try {
      @SuppressWarnings("unchecked")
      T value = (T) constructor.invokeExact(args);
      return value;
    } catch (ServiceException e) {
      throw e;
    } catch (IllegalArgumentException | NullPointerException e) {
      // A record's own compact constructor rejected the values: the caller's mistake.
      throw ServiceException.invalidArgument(name + ": " + e.getMessage());
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

  private static Object coerce(Field f, Object v) {
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
        if (v instanceof Long || v instanceof Short || v instanceof Byte) {
          long l = ((Number) v).longValue();
          if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw ServiceException.invalidArgument(f.name() + ": " + l + " (expected: a 32-bit integer)");
          }
          return (int) l;
        }
      }
      case INT64 -> {
        if (v instanceof Long) {
          return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
          return ((Number) v).longValue();
        }
      }
      case DOUBLE -> {
        if (v instanceof Number n) {
          return n.doubleValue();
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

  private static ServiceException wrongType(Field f, Object v) {
    return ServiceException.invalidArgument(
        f.name() + ": " + v.getClass().getSimpleName() + " (expected: " + kind(f) + ")");
  }

  private static String kind(Field f) {
    String t =
        switch (f.type()) {
          case STRING -> "string";
          case BOOL -> "boolean";
          case INT32 -> "32-bit integer";
          case INT64 -> "64-bit integer";
          case DOUBLE -> "number";
          case MESSAGE -> f.messageType().name() + " object";
        };
    return f.repeated() ? "list of " + t : t;
  }

  @Override
  public String toString() {
    return name + fields;
  }
}
