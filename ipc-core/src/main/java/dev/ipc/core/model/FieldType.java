package dev.ipc.core.model;

/**
 * The wire type of a {@link Field}; each maps to one protobuf, JSON and GraphQL type. The Java
 * value an adapter reads with {@link Field#get} and passes to {@link RecordType#create} is named on
 * each constant.
 */
public enum FieldType {
  /** {@code String}; protobuf {@code string}, JSON string, GraphQL {@code String}. */
  STRING,
  /** {@code boolean}/{@code Boolean}; protobuf {@code bool}, GraphQL {@code Boolean}. */
  BOOL,
  /** {@code int}/{@code Integer}; protobuf {@code int32}, GraphQL {@code Int}. */
  INT32,
  /** {@code long}/{@code Long}; protobuf {@code int64}, GraphQL {@code Long} (a custom scalar). */
  INT64,
  /** {@code float}/{@code Float}; protobuf {@code float}, JSON number, GraphQL {@code Float}. */
  FLOAT,
  /** {@code double}/{@code Double}; protobuf {@code double}, JSON number, GraphQL {@code Float}. */
  DOUBLE,
  /** {@code byte[]}; protobuf {@code bytes}, base64 (RFC 4648) in JSON and GraphQL. */
  BYTES,
  /**
   * A Java {@code enum} described by {@link Field#enumType()}; protobuf enum (numbers are the
   * ordinals), JSON string of the constant's name, GraphQL enum. The Java value is the constant.
   */
  ENUM,
  /**
   * {@link java.time.Instant}; protobuf {@code google.protobuf.Timestamp}, RFC 3339 string in JSON
   * ({@code 2026-12-05T10:15:30Z}), GraphQL scalar {@code Instant}.
   */
  TIMESTAMP,
  /**
   * {@link java.time.Duration}; protobuf {@code google.protobuf.Duration}, ISO-8601 string in JSON
   * ({@code PT1.5S}), GraphQL scalar {@code Duration}.
   */
  DURATION,
  /**
   * {@link java.math.BigDecimal}; no protocol has an exact decimal type, so it travels as a string
   * of its plain digits ({@code "12.50"}): protobuf {@code string}, JSON string, GraphQL scalar
   * {@code Decimal}.
   */
  DECIMAL,
  /** A nested record described by {@link Field#messageType()}. */
  MESSAGE
}
