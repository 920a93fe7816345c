package dev.ipc.examples.library;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.Saved;
import dev.ipc.core.ServiceException;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/** The host's implementation: plain Java, nothing of ipc but its errors. */
public final class MyLibrary implements Library {
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
    return books.values().stream()
        .filter(b -> b.genre() == genre && b.title().contains(text))
        .limit(Math.max(0, limit))
        .toList();
  }

  @Override
  public Saved<Book> put(long id, Book book) {
    return new Saved<>(book, books.put(id, book) == null);
  }
}
