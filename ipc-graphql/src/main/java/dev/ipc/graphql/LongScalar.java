package dev.ipc.graphql;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * The {@code Long} scalar for 64-bit integers (protobuf {@code int64}): GraphQL's {@code Int} stops
 * at 32 bits. It serializes as a JSON number, so {@code tasks { id }} gives {@code 1} as a client
 * of the article expects, and accepts integers and decimal strings (for JavaScript clients past
 * 2^53).
 */
final class LongScalar {
  static final String NAME = "Long";

  static final GraphQLScalarType TYPE =
      GraphQLScalarType.newScalar()
          .name(NAME)
          .description(
              "A 64-bit signed integer. Serialized as a JSON number; accepts an integer or a string of"
                  + " decimal digits as input.")
          .coercing(new LongCoercing())
          .build();

  private LongScalar() {}

  private static final class LongCoercing implements Coercing<Long, Long> {
    @Override
    public Long serialize(Object value, GraphQLContext context, Locale locale) {
      Long l = toLong(value);
      if (l == null) {
        throw new CoercingSerializeException(
            "Long: cannot serialize " + value.getClass().getSimpleName());
      }
      return l;
    }

    @Override
    public Long parseValue(Object input, GraphQLContext context, Locale locale) {
      Long l = toLong(input);
      if (l == null) {
        throw new CoercingParseValueException(
            "Long: " + describe(input) + " (expected: a 64-bit integer or a string of digits)");
      }
      return l;
    }

    @Override
    public Long parseLiteral(
        Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
      Long l = null;
      if (input instanceof IntValue i) {
        l = toLong(i.getValue());
      } else if (input instanceof StringValue s) {
        l = toLong(s.getValue());
      }
      if (l == null) {
        throw new CoercingParseLiteralException(
            "Long: "
                + input.getClass().getSimpleName()
                + " (expected: a 64-bit integer or a string of digits)");
      }
      return l;
    }

    @Override
    public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
      return IntValue.of(0)
          .transform(b -> b.value(BigInteger.valueOf(parseValue(input, context, locale))));
    }

    private static String describe(Object input) {
      if (input instanceof String s) {
        return '"' + (s.length() > 30 ? s.substring(0, 30) + "..." : s) + '"';
      }
      return input instanceof Number ? input.toString() : input.getClass().getSimpleName();
    }

    private static Long toLong(Object v) {
      if (v instanceof Long l) {
        return l;
      }
      if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
        return ((Number) v).longValue();
      }
      if (v instanceof BigInteger b) {
        return b.bitLength() < 64 ? b.longValue() : null;
      }
      if (v instanceof BigDecimal d) {
        try {
          return d.longValueExact();
        } catch (ArithmeticException e) {
          return null;
        }
      }
      if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        long l = (long) d;
        return l == d && Math.abs(d) < 0x1p63 ? l : null;
      }
      if (v instanceof String s && s.matches("-?[0-9]{1,19}")) {
        try {
          return Long.parseLong(s);
        } catch (NumberFormatException e) {
          return null;
        }
      }
      return null;
    }
  }
}
