package dev.ipc.examples.library;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A book; its compact constructor's check reaches every client as INVALID_ARGUMENT. */
public record Book(
    long id,
    String title,
    Genre genre,
    List<String> tags,
    Map<String, String> props,
    Instant published,
    Optional<String> isbn,
    byte[] cover) {
  /** Rejects a blank title. */
  public Book {
    if (title == null || title.isBlank()) {
      throw new IllegalArgumentException("title: must not be blank");
    }
  }
}
