package dev.ipc.graphql;

import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.TypeFromAST;
import graphql.language.OperationDefinition;
import graphql.language.VariableDefinition;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLInputObjectField;
import graphql.schema.GraphQLInputObjectType;
import graphql.schema.GraphQLInputType;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the field a variable's value failed on. graphql-java says only {@code Variable 'book' has
 * an invalid value: Instant: "yesterday" (...)}; for a variable holding an input object or a list,
 * this finds the value that failed and says {@code ...: book.published: Instant: "yesterday"
 * (...)}. Runs only for a request whose variables were refused, so a valid request never pays for
 * it.
 */
final class VariablePaths {
  private static final Pattern INVALID =
      Pattern.compile("Variable '([^']+)' has an invalid value: (.*)", Pattern.DOTALL);

  private VariablePaths() {}

  /**
   * Returns {@code errors} with each variable coercion error naming the failed field, if nested.
   */
  static List<GraphQLError> name(
      List<GraphQLError> errors,
      GraphQLSchema schema,
      OperationDefinition operation,
      Map<String, Object> variables) {
    if (operation == null) {
      return errors;
    }
    List<GraphQLError> out = new ArrayList<>(errors.size());
    for (GraphQLError e : errors) {
      out.add(name(e, schema, operation, variables));
    }
    return out;
  }

  private static GraphQLError name(
      GraphQLError error,
      GraphQLSchema schema,
      OperationDefinition operation,
      Map<String, Object> variables) {
    Matcher m = INVALID.matcher(error.getMessage() == null ? "" : error.getMessage());
    if (!m.matches()) {
      return error;
    }
    String variable = m.group(1);
    for (VariableDefinition d : operation.getVariableDefinitions()) {
      if (!d.getName().equals(variable)) {
        continue;
      }
      GraphQLType type = TypeFromAST.getTypeFromAST(schema, d.getType());
      String path;
      try {
        path =
            type instanceof GraphQLInputType t ? find(t, variables.get(variable), variable) : null;
      } catch (RuntimeException e) {
        path = null; // the message stays graphql-java's: better unchanged than wrong
      }
      if (path == null || path.equals(variable)) {
        return error;
      }
      return GraphqlErrorBuilder.newError()
          .message("Variable '" + variable + "' has an invalid value: " + path + ": " + m.group(2))
          .locations(error.getLocations())
          .errorType(error.getErrorType())
          .extensions(error.getExtensions())
          .build();
    }
    return error;
  }

  /** Returns the path of the first value in {@code value} that {@code type} refuses, or null. */
  private static String find(GraphQLInputType type, Object value, String path) {
    if (value == null) {
      return type instanceof GraphQLNonNull ? path : null;
    }
    GraphQLType t = type instanceof GraphQLNonNull n ? n.getWrappedType() : type;
    if (t instanceof GraphQLList list) {
      GraphQLInputType element = (GraphQLInputType) list.getWrappedType();
      if (!(value instanceof List<?> values)) {
        return find(element, value, path); // GraphQL reads a lone value as a list of one
      }
      for (int i = 0; i < values.size(); i++) {
        String p = find(element, values.get(i), path + "[" + i + "]");
        if (p != null) {
          return p;
        }
      }
      return null;
    }
    if (t instanceof GraphQLInputObjectType object) {
      if (!(value instanceof Map<?, ?> map)) {
        return path;
      }
      for (Object key : map.keySet()) {
        if (object.getField(String.valueOf(key)) == null) {
          return path + "." + key;
        }
      }
      for (GraphQLInputObjectField f : object.getFields()) {
        String p = find(f.getType(), map.get(f.getName()), path + "." + f.getName());
        if (p != null) {
          return p;
        }
      }
      return null;
    }
    try {
      if (t instanceof GraphQLScalarType scalar) {
        scalar.getCoercing().parseValue(value, GraphQLContext.getDefault(), Locale.ROOT);
      } else if (t instanceof GraphQLEnumType e) {
        e.parseValue(value, GraphQLContext.getDefault(), Locale.ROOT);
      }
      return null;
    } catch (RuntimeException refused) {
      return path;
    }
  }
}
