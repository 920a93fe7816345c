package dev.ipc.core.testing;

/** A book's genre: an enum on every protocol (proto enum, GraphQL enum, JSON string). */
public enum Genre {
  NOVEL,
  POETRY,
  SCIENCE
}
