package dev.ipc.graphql;

import dev.ipc.core.model.Field;
import dev.ipc.core.model.RecordType;
import graphql.Scalars;
import graphql.schema.GraphQLInputObjectField;
import graphql.schema.GraphQLInputObjectType;
import graphql.schema.GraphQLInputType;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLOutputType;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the core model's record types to GraphQL types, the same way for the server's schema and the
 * client's variable declarations. A field is nullable unless {@link Field#nonNull()}; a repeated field is a
 * list of nullable elements ({@code hobby: [String]}, as in the article). Records become object types of
 * the same name as outputs and {@code <Name>Input} input types as arguments.
 */
final class GraphqlTypes {
  /** The one field of an object type whose record has none. */
  static final String EMPTY_FIELD = "_empty";

  private final Map<String, GraphQLObjectType> objects = new LinkedHashMap<>();
  private final Map<String, RecordType<?>> objectSources = new LinkedHashMap<>();
  private final Map<String, GraphQLInputObjectType> inputs = new LinkedHashMap<>();
  private final Map<String, RecordType<?>> inputSources = new HashMap<>();

  /** Returns the output type of {@code field}, defining object types it needs. */
  GraphQLOutputType output(Field field) {
    GraphQLOutputType element =
        switch (field.type()) {
          case MESSAGE -> object(field.messageType());
          default -> scalar(field);
        };
    return wrap(field, element);
  }

  /** Returns the input type of {@code field}, defining input object types it needs. */
  GraphQLInputType input(Field field) {
    GraphQLInputType element =
        switch (field.type()) {
          case MESSAGE -> inputObject(field.messageType());
          default -> scalar(field);
        };
    return wrap(field, element);
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
      b.field(fd -> fd.name(f.name()).type(output(f)));
    }
    if (record.fields().isEmpty()) {
      // GraphQL has no empty object types; an answer without fields still needs something to select.
      b.field(fd -> fd.name(EMPTY_FIELD).type(Scalars.GraphQLBoolean).description("Always true."));
    }
    GraphQLObjectType type = b.build();
    objects.put(record.name(), type);
    objectSources.put(record.name(), record);
    return type;
  }

  /** Returns the records behind every object type defined so far. */
  java.util.Collection<RecordType<?>> records() {
    return objectSources.values();
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
      b.field(GraphQLInputObjectField.newInputObjectField().name(f.name()).type(input(f)).build());
    }
    GraphQLInputObjectType type = b.build();
    inputs.put(name, type);
    inputSources.put(name, record);
    return type;
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
        "GraphQL type " + other.name() + " is described twice, differently: " + known + " and " + other);
  }

  private static List<String> describe(RecordType<?> r) {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(r.javaType().getName()),
            r.fields().stream()
        .map(f -> f.name() + ':' + f.type() + (f.repeated() ? "*" : "") + (f.nonNull() ? "!" : "")))
        .toList();
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

  private static graphql.schema.GraphQLScalarType scalar(Field field) {
    return switch (field.type()) {
      case STRING -> Scalars.GraphQLString;
      case BOOL -> Scalars.GraphQLBoolean;
      case INT32 -> Scalars.GraphQLInt;
      case INT64 -> LongScalar.TYPE;
      case DOUBLE -> Scalars.GraphQLFloat;
      case MESSAGE -> throw new IllegalArgumentException("field: " + field + " (expected: a scalar)");
    };
  }
}
