package dev.ipc.core.testing;

import dev.ipc.core.Saved;
import java.util.List;

/**
 * The plain interface: no descriptor, no annotation. Every transport serves it from the
 * model derived by reflection, and every client calls it through a proxy.
 */
public interface Library {
  /** A mutation (its name starts with add) taking one record. */
  Book add(Book book);

  /** A query taking one plain parameter. */
  Book get(long id);

  /** A query taking several plain parameters, answering a list. */
  List<Book> search(String text, Genre genre, int limit);

  /** Created or replaced, as {@code Task.put}. */
  Saved<Book> put(long id, Book book);

  /** A mutation answering nothing. */
  void remove(long id);

  /** A query taking and answering every other supported type, echoed back. */
  Edition echo(Edition edition);

  /** Runs locally on a proxy: never reaches the server. */
  default String describe(long id) {
    return "book " + id + ": " + get(id).title();
  }
}
