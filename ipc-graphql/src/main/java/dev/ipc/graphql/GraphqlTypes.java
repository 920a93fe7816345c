package dev.ipc.graphql;

import dev.ipc.core.ServiceException;
import dev.ipc.core.model.EnumType;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.RecordType;
import graphql.Scalars;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLInputObjectField;
import graphql.schema.GraphQLInputObjectType;
import graphql.schema.GraphQLInputType;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLOutputType;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the core model's record types to GraphQL types, the same way for the server's schema and the
 * client's variable declarations. A field is nullable unless {@link Field#nonNull()}; a repeated
 * field is a list of nullable elements ({@code hobby: [String]}, as in the article). Records become
 * object types of the same name as outputs and {@code <Name>Input} input types as arguments.
 *
 * <p>The other types: {@code float} and {@code double} are {@code Float}; {@code long} is the
 * custom scalar {@code Long}; bytes, instants, durations and decimals are the string scalars of
 * {@link TextScalars}; an enum is a GraphQL enum of the same name and constants. A {@code
 * Map<String, V>} is a list of entries, {@code [BookPropsEntry!]} with {@code key: String!} and
 * {@code value: V!} (input twin {@code BookPropsEntryInput}): GraphQL has no map type, and a list
 * of typed entries keeps the values' types in the schema, which a JSON scalar would erase.
 */
final class GraphqlTypes {
  /** The one field of an object type, or input type, whose record has none. */
  static final String EMPTY_FIELD = "_empty";

  /** The fields of a map's entry type. */
  static final String KEY = "key";

  static final String VALUE = "value";

  private final Map<String, GraphQLObjectType> objects = new LinkedHashMap<>();
  private final Map<String, RecordType<?>> objectSources = new LinkedHashMap<>();
  private final Map<String, GraphQLInputObjectType> inputs = new LinkedHashMap<>();
  private final Map<String, RecordType<?>> inputSources = new HashMap<>();
  private final Map<String, GraphQLEnumType> enums = new HashMap<>();
  private final Map<String, EnumType> enumSources = new HashMap<>();
  private final Map<String, Field> entries = new LinkedHashMap<>();
  private final Map<String, GraphQLType> entryTypes = new HashMap<>();
  private final Map<String, String> entryOwners = new HashMap<>();

  /** Returns the output type of {@code field} of {@code owner}, defining the types it needs. */
  GraphQLOutputType output(RecordType<?> owner, Field field) {
    if (field.map()) {
      return wrap(field, GraphQLList.list(GraphQLNonNull.nonNull(entryObject(owner, field))));
    }
    return wrap(field, outputElement(field));
  }

  /** Returns the input type of {@code field} of {@code owner}, defining the types it needs. */
  GraphQLInputType input(RecordType<?> owner, Field field) {
    if (field.map()) {
      return wrap(field, GraphQLList.list(GraphQLNonNull.nonNull(entryInput(owner, field))));
    }
    return wrap(field, inputElement(field));
  }

  private GraphQLOutputType outputElement(Field field) {
    return switch (field.type()) {
      case MESSAGE -> object(field.messageType());
      case ENUM -> enumType(field.enumType());
      default -> scalar(field);
    };
  }

  private GraphQLInputType inputElement(Field field) {
    return switch (field.type()) {
      case MESSAGE -> inputObject(field.messageType());
      case ENUM -> enumType(field.enumType());
      default -> scalar(field);
    };
  }

  /** Returns the object type for {@code record}, defining it on first use. */
  GraphQLObjectType object(RecordType<?> record) {
    GraphQLObjectType known = objects.get(record.name());
    if (known != null) {
      sameShape(objectSources.get(record.name()), record);
      return known;
    }
    GraphQLObjectType.Builder b = GraphQLObjectType.newObject().name(record.name());
    for (Field f : record.fields()) {
      b.field(fd -> fd.name(f.name()).type(output(record, f)));
    }
    if (record.fields().isEmpty()) {
      // GraphQL has no empty object types; an answer without fields still needs something to
      // select.
      b.field(fd -> fd.name(EMPTY_FIELD).type(Scalars.GraphQLBoolean).description("Always true."));
    }
    GraphQLObjectType type = b.build();
    objects.put(record.name(), type);
    objectSources.put(record.name(), record);
    return type;
  }

  /** Returns the records behind every object type defined so far. */
  Collection<RecordType<?>> records() {
    return objectSources.values();
  }

  /** Returns the map fields behind every entry object type defined so far, by type name. */
  Map<String, Field> entries() {
    return entries;
  }

  private GraphQLInputObjectType inputObject(RecordType<?> record) {
    String name = record.name() + "Input";
    GraphQLInputObjectType known = inputs.get(name);
    if (known != null) {
      sameShape(inputSources.get(name), record);
      return known;
    }
    GraphQLInputObjectType.Builder b = GraphQLInputObjectType.newInputObject().name(name);
    for (Field f : record.fields()) {
      b.field(
          GraphQLInputObjectField.newInputObjectField()
              .name(f.name())
              .type(input(record, f))
              .build());
    }
    if (record.fields().isEmpty()) {
      // Nor empty input types: a field to leave out, which the record never reads.
      b.field(
          GraphQLInputObjectField.newInputObjectField()
              .name(EMPTY_FIELD)
              .type(Scalars.GraphQLBoolean)
              .description("Ignored; GraphQL has no input types without fields.")
              .build());
    }
    GraphQLInputObjectType type = b.build();
    inputs.put(name, type);
    inputSources.put(name, record);
    return type;
  }

  private GraphQLEnumType enumType(EnumType e) {
    GraphQLEnumType known = enums.get(e.name());
    if (known != null) {
      EnumType other = enumSources.get(e.name());
      if (other != e && !other.values().equals(e.values())) {
        throw new IllegalStateException(
            "GraphQL enum "
                + e.name()
                + " is described twice, differently: "
                + other
                + " and "
                + e);
      }
      return known;
    }
    GraphQLEnumType.Builder b = GraphQLEnumType.newEnum().name(e.name());
    // The Java constant is the value, so arguments arrive as constants and answers serialize by
    // name.
    for (Enum<?> constant : e.javaType().getEnumConstants()) {
      b.value(constant.name(), constant);
    }
    GraphQLEnumType type = b.build();
    enums.put(e.name(), type);
    enumSources.put(e.name(), e);
    return type;
  }

  private GraphQLObjectType entryObject(RecordType<?> owner, Field field) {
    String name = entryName(owner, field);
    GraphQLType known = entryType(name, owner, field);
    if (known != null) {
      return (GraphQLObjectType) known;
    }
    GraphQLObjectType type =
        GraphQLObjectType.newObject()
            .name(name)
            .description("An entry of " + owner.name() + "." + field.name() + ", a map.")
            .field(fd -> fd.name(KEY).type(GraphQLNonNull.nonNull(Scalars.GraphQLString)))
            .field(fd -> fd.name(VALUE).type(GraphQLNonNull.nonNull(outputElement(field))))
            .build();
    entryTypes.put(name, type);
    entries.put(name, field);
    return type;
  }

  private GraphQLInputObjectType entryInput(RecordType<?> owner, Field field) {
    String name = entryName(owner, field) + "Input";
    GraphQLType known = entryType(name, owner, field);
    if (known != null) {
      return (GraphQLInputObjectType) known;
    }
    GraphQLInputObjectType type =
        GraphQLInputObjectType.newInputObject()
            .name(name)
            .description(
                "An entry of " + owner.name() + "." + field.name() + ", a map; keys are distinct.")
            .field(
                GraphQLInputObjectField.newInputObjectField()
                    .name(KEY)
                    .type(GraphQLNonNull.nonNull(Scalars.GraphQLString)))
            .field(
                GraphQLInputObjectField.newInputObjectField()
                    .name(VALUE)
                    .type(GraphQLNonNull.nonNull(inputElement(field))))
            .build();
    entryTypes.put(name, type);
    return type;
  }

  private GraphQLType entryType(String name, RecordType<?> owner, Field field) {
    String describes = owner.name() + "." + field;
    String previous = entryOwners.putIfAbsent(name, describes);
    if (previous != null && !previous.equals(describes)) {
      throw new IllegalStateException(
          "GraphQL type "
              + name
              + " is described twice, differently: "
              + previous
              + " and "
              + describes);
    }
    return entryTypes.get(name);
  }

  private static String entryName(RecordType<?> owner, Field field) {
    String n = field.name();
    return owner.name() + Character.toUpperCase(n.charAt(0)) + n.substring(1) + "Entry";
  }

  /** Returns {@code type} in SDL form ({@code [String]}, {@code Long!}). */
  static String print(GraphQLType type) {
    return GraphQLTypeUtil.simplePrint(type);
  }

  private static void sameShape(RecordType<?> known, RecordType<?> other) {
    if (known == other || describe(known).equals(describe(other))) {
      return;
    }
    throw new IllegalStateException(
        "GraphQL type "
            + other.name()
            + " is described twice, differently: "
            + known
            + " and "
            + other);
  }

  private static List<String> describe(RecordType<?> r) {
    List<String> d = new ArrayList<>();
    d.add(r.javaType().getName());
    for (Field f : r.fields()) {
      d.add(f + (f.nonNull() ? "!" : ""));
    }
    return d;
  }

  @SuppressWarnings("unchecked")
  private static <T extends GraphQLType> T wrap(Field field, T element) {
    GraphQLType t = element;
    if (field.repeated()) {
      t = GraphQLList.list(t);
    }
    if (field.nonNull()) {
      t = GraphQLNonNull.nonNull(t);
    }
    return (T) t;
  }

  private static GraphQLScalarType scalar(Field field) {
    return switch (field.type()) {
      case STRING -> Scalars.GraphQLString;
      case BOOL -> Scalars.GraphQLBoolean;
      case INT32 -> Scalars.GraphQLInt;
      case INT64 -> LongScalar.TYPE;
      case FLOAT, DOUBLE -> Scalars.GraphQLFloat;
      case BYTES -> TextScalars.BASE64;
      case TIMESTAMP -> TextScalars.INSTANT;
      case DURATION -> TextScalars.DURATION;
      case DECIMAL -> TextScalars.DECIMAL;
      case ENUM, MESSAGE ->
          throw new IllegalArgumentException("field: " + field + " (expected: a scalar)");
    };
  }

  /**
   * Returns a field's value as a data fetcher answers it: a map as its entries, a {@code float} as
   * the {@code Double} of its shortest decimal form (graphql-java would widen {@code 0.1f} to
   * {@code 0.10000000149011612}).
   */
  static Object answer(Field field, Object value) {
    if (value == null) {
      return null;
    }
    if (field.map()) {
      return new ArrayList<>(((Map<?, ?>) value).entrySet());
    }
    if (field.type() != FieldType.FLOAT) {
      return value;
    }
    if (field.repeated()) {
      List<?> list = (List<?>) value;
      List<Object> out = new ArrayList<>(list.size());
      for (Object e : list) {
        out.add(widen(e));
      }
      return out;
    }
    return widen(value);
  }

  /** Returns a map entry's value as its data fetcher answers it. */
  static Object answerElement(Field field, Object value) {
    return field.type() == FieldType.FLOAT ? widen(value) : value;
  }

  private static Object widen(Object value) {
    return value instanceof Float f ? Double.valueOf(Float.toString(f)) : value;
  }

  /**
   * Returns arguments (or an input object's fields) in the form {@link RecordType#create(Map)}
   * takes: each map's entry list becomes a {@code Map}, in nested input objects too.
   *
   * @throws ServiceException INVALID_ARGUMENT naming the field when a map repeats a key
   */
  static Map<String, Object> arguments(RecordType<?> type, Map<String, ?> values) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Field f : type.fields()) {
      Object v = values.get(f.name());
      if (v != null) {
        out.put(f.name(), argument(type, f, v));
      }
    }
    return out;
  }

  private static Object argument(RecordType<?> owner, Field f, Object value) {
    if (f.map()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Object e : (List<?>) value) {
        Map<?, ?> entry = (Map<?, ?>) e;
        String key = (String) entry.get(KEY);
        if (map.put(key, argumentElement(f, entry.get(VALUE))) != null) {
          throw ServiceException.invalidArgument(
              owner.name()
                  + "."
                  + f.name()
                  + ": key \""
                  + key
                  + "\" twice (expected: distinct keys)");
        }
      }
      return map;
    }
    if (f.repeated() && f.type() == FieldType.MESSAGE) {
      List<Object> list = new ArrayList<>();
      for (Object e : (List<?>) value) {
        list.add(argumentElement(f, e));
      }
      return list;
    }
    return argumentElement(f, value);
  }

  @SuppressWarnings("unchecked")
  private static Object argumentElement(Field f, Object value) {
    if (f.type() == FieldType.MESSAGE && value instanceof Map<?, ?> m) {
      return arguments(f.messageType(), (Map<String, ?>) m);
    }
    return value;
  }
}
