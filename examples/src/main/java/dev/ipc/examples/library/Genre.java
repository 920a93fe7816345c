package dev.ipc.examples.library;

/** A book's genre. */
public enum Genre {
  NOVEL,
  POETRY,
  SCIENCE
}
