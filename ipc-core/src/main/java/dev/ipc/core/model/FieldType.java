package dev.ipc.core.model;

/** The wire type of a {@link Field}; each maps to one protobuf, JSON and GraphQL type. */
public enum FieldType {
  /** {@code String}; protobuf {@code string}, GraphQL {@code String}. */
  STRING,
  /** {@code boolean}; protobuf {@code bool}, GraphQL {@code Boolean}. */
  BOOL,
  /** {@code int}; protobuf {@code int32}, GraphQL {@code Int}. */
  INT32,
  /** {@code long}; protobuf {@code int64}. */
  INT64,
  /** {@code double}; protobuf {@code double}, GraphQL {@code Float}. */
  DOUBLE,
  /** A nested record described by {@link Field#messageType()}. */
  MESSAGE
}
