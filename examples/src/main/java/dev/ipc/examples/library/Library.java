package dev.ipc.examples.library;

import dev.ipc.core.Saved;
import java.util.List;

/**
 * A host's own service: a plain interface, no descriptor, no annotation. {@code add} and {@code
 * put} are mutations because of their names; {@code get} and {@code search} are queries.
 */
public interface Library {
  /** Adds a book. */
  Book add(Book book);

  /** Returns the book with this id, or fails with NOT_FOUND. */
  Book get(long id);

  /** Returns up to {@code limit} books of {@code genre} whose title contains {@code text}. */
  List<Book> search(String text, Genre genre, int limit);

  /** Creates or replaces the book with this id. */
  Saved<Book> put(long id, Book book);
}
