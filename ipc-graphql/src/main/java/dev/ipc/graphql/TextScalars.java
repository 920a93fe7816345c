package dev.ipc.graphql;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.FloatValue;
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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Function;

/**
 * The custom scalars for the model's types GraphQL has none for, each written as a JSON string:
 * {@code Base64} (bytes), {@code Instant} (RFC 3339), {@code Duration} (ISO-8601) and {@code
 * Decimal} (exact digits). Inputs are parsed here, so a malformed value is refused before any
 * service runs, with the argument or variable named by graphql-java and the expected form named by
 * the scalar.
 */
final class TextScalars {
  /** {@code byte[]}: standard base64 with padding out; standard or URL-safe base64 in. */
  static final GraphQLScalarType BASE64 =
      scalar(
          "Base64",
          "Bytes, as a base64 string (RFC 4648, with padding). Accepts the standard or the URL-safe"
              + " alphabet as input.",
          byte[].class,
          b -> Base64.getEncoder().encodeToString(b),
          TextScalars::bytes,
          "a base64 string");

  /** {@link Instant}: an RFC 3339 string in UTC out; any RFC 3339 offset in. */
  static final GraphQLScalarType INSTANT =
      scalar(
          "Instant",
          "A point in time, as an RFC 3339 string (2026-12-05T10:15:30Z, fractions of a second when"
              + " present, always UTC). Accepts any offset as input (2026-12-05T11:15:30+01:00).",
          Instant.class,
          Instant::toString,
          s -> OffsetDateTime.parse(s).toInstant(),
          "an RFC 3339 timestamp, e.g. 2026-12-05T10:15:30Z");

  /** {@link Duration}: an ISO-8601 duration string. */
  static final GraphQLScalarType DURATION =
      scalar(
          "Duration",
          "A length of time, as an ISO-8601 duration string in seconds (PT1.5S, PT-0.25S, PT36H).",
          Duration.class,
          Duration::toString,
          Duration::parse,
          "an ISO-8601 duration, e.g. PT1.5S");

  /** {@link BigDecimal}: its plain digits as a string out; a string or a number in. */
  static final GraphQLScalarType DECIMAL =
      GraphQLScalarType.newScalar()
          .name("Decimal")
          .description(
              "An exact decimal number, as a string of its plain digits (\"12.50\", never an exponent)"
                  + " so no JSON parser rounds it. Accepts a string or a number as input.")
          .coercing(new DecimalCoercing())
          .build();

  private TextScalars() {}

  private static <T> GraphQLScalarType scalar(
      String name,
      String description,
      Class<T> type,
      Function<T, String> print,
      Function<String, T> parse,
      String expected) {
    return GraphQLScalarType.newScalar()
        .name(name)
        .description(description)
        .coercing(new TextCoercing<>(name, type, print, parse, expected))
        .build();
  }

  private static byte[] bytes(String s) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return Base64.getUrlDecoder().decode(s);
    }
  }

  /**
   * Returns {@code input} for an error message: short, and never more than its type when not text.
   */
  static String describe(Object input) {
    if (input instanceof String s) {
      return '"' + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + '"';
    }
    if (input instanceof Value<?> v) {
      return v instanceof StringValue s ? describe(s.getValue()) : v.getClass().getSimpleName();
    }
    return input instanceof Number || input instanceof Boolean
        ? input.toString()
        : input == null ? "null" : input.getClass().getSimpleName();
  }

  /** A scalar written as a string in one form, parsed from a string. */
  private static final class TextCoercing<T> implements Coercing<T, String> {
    private final String name;
    private final Class<T> type;
    private final Function<T, String> print;
    private final Function<String, T> parse;
    private final String expected;

    TextCoercing(
        String name,
        Class<T> type,
        Function<T, String> print,
        Function<String, T> parse,
        String expected) {
      this.name = name;
      this.type = type;
      this.print = print;
      this.parse = parse;
      this.expected = expected;
    }

    @Override
    public String serialize(Object value, GraphQLContext context, Locale locale) {
      if (!type.isInstance(value)) {
        throw new CoercingSerializeException(
            name + ": cannot serialize " + value.getClass().getSimpleName());
      }
      return print.apply(type.cast(value));
    }

    @Override
    public T parseValue(Object input, GraphQLContext context, Locale locale) {
      T value = input instanceof String s ? parse(s) : null;
      if (value == null) {
        throw new CoercingParseValueException(message(input));
      }
      return value;
    }

    @Override
    public T parseLiteral(
        Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
      T value = input instanceof StringValue s ? parse(s.getValue()) : null;
      if (value == null) {
        throw new CoercingParseLiteralException(message(input));
      }
      return value;
    }

    @Override
    public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
      return StringValue.of(
          type.isInstance(input) ? print.apply(type.cast(input)) : String.valueOf(input));
    }

    private T parse(String s) {
      try {
        return parse.apply(s);
      } catch (DateTimeParseException | IllegalArgumentException | ArithmeticException e) {
        return null;
      }
    }

    private String message(Object input) {
      return name + ": " + describe(input) + " (expected: " + expected + ")";
    }
  }

  /** Exact decimals: a string out; a string, an integer or a decimal literal in. */
  private static final class DecimalCoercing implements Coercing<BigDecimal, String> {
    private static final String EXPECTED =
        " (expected: a decimal number as a string, e.g. \"12.50\", at most 1000 digits each side of"
            + " the point)";

    @Override
    public String serialize(Object value, GraphQLContext context, Locale locale) {
      if (!(value instanceof BigDecimal d)) {
        throw new CoercingSerializeException(
            "Decimal: cannot serialize " + value.getClass().getSimpleName());
      }
      return d.toPlainString();
    }

    @Override
    public BigDecimal parseValue(Object input, GraphQLContext context, Locale locale) {
      BigDecimal d = toDecimal(input);
      if (d == null) {
        throw new CoercingParseValueException("Decimal: " + describe(input) + EXPECTED);
      }
      return d;
    }

    @Override
    public BigDecimal parseLiteral(
        Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
      BigDecimal d = null;
      if (input instanceof StringValue s) {
        d = toDecimal(s.getValue());
      } else if (input instanceof IntValue i) {
        d = toDecimal(new BigDecimal(i.getValue()));
      } else if (input instanceof FloatValue f) {
        d = toDecimal(f.getValue()); // graphql-java keeps the literal's exact digits
      }
      if (d == null) {
        throw new CoercingParseLiteralException("Decimal: " + describe(input) + EXPECTED);
      }
      return d;
    }

    @Override
    public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
      return StringValue.of(parseValue(input, context, locale).toPlainString());
    }

    /** Beyond this many digits on either side of the point, the plain form would be a weapon. */
    private static final int MAX_SCALE = 1000;

    private static BigDecimal toDecimal(Object v) {
      BigDecimal d = parse(v);
      return d != null && Math.abs(d.scale()) <= MAX_SCALE && d.precision() - d.scale() <= MAX_SCALE
          ? d
          : null;
    }

    private static BigDecimal parse(Object v) {
      if (v instanceof BigDecimal d) {
        return d;
      }
      if (v instanceof String s) {
        try {
          return new BigDecimal(s);
        } catch (NumberFormatException e) {
          return null;
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
        // The shortest decimal that reads back as this double: what the client wrote, if it fit.
        return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
      }
      return null;
    }
  }
}
