package dev.ipc.core.testing;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The book: a plain record whose compact constructor validates, served with no descriptor.
 */
public record Book(
    long id,
    String title,
    Genre genre,
    List<String> tags,
    Map<String, String> props,
    Instant published,
    Optional<String> isbn,
    byte[] cover) {
  /** Rejects a blank title: every protocol's client must see INVALID_ARGUMENT with this message. */
  public Book {
    if (title == null || title.isBlank()) {
      throw new IllegalArgumentException("title: must not be blank");
    }
  }
}
