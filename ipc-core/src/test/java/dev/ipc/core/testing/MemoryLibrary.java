package dev.ipc.core.testing;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.Saved;
import dev.ipc.core.ServiceException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentSkipListMap;

/** An in-memory {@link Library}, thread-safe. */
public final class MemoryLibrary implements Library {
  private final ConcurrentSkipListMap<Long, Book> books = new ConcurrentSkipListMap<>();

  @Override
  public Book add(Book book) {
    if (books.putIfAbsent(book.id(), book) != null) {
      throw new ServiceException(ErrorCode.ALREADY_EXISTS, "book " + book.id() + " exists");
    }
    return book;
  }

  @Override
  public Book get(long id) {
    Book book = books.get(id);
    if (book == null) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "no book " + id);
    }
    return book;
  }

  @Override
  public List<Book> search(String text, Genre genre, int limit) {
    if (limit < 0) {
      throw ServiceException.invalidArgument("limit: " + limit + " (expected: >= 0)");
    }
    String needle = text == null ? "" : text.toLowerCase(Locale.ROOT);
    return books.values().stream()
        .filter(b -> genre == null || b.genre() == genre)
        .filter(b -> b.title().toLowerCase(Locale.ROOT).contains(needle))
        .limit(limit)
        .toList();
  }

  @Override
  public Saved<Book> put(long id, Book book) {
    if (book.id() != id) {
      throw ServiceException.invalidArgument("book.id: " + book.id() + " (expected: " + id + ")");
    }
    return new Saved<>(book, books.put(id, book) == null);
  }

  @Override
  public void remove(long id) {
    if (books.remove(id) == null) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "no book " + id);
    }
  }

  @Override
  public Edition echo(Edition edition) {
    return edition;
  }
}
