package dev.ipc.examples.bench;

import dev.ipc.core.Saved;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.examples.library.Book;
import dev.ipc.examples.library.Genre;
import dev.ipc.examples.library.Library;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code Library.get} described by hand with the explicit builder (a request record, a lambda
 * invoker, an anonymous client class): the baseline the derived model's reflection and proxy are
 * measured against. Its names differ so both can be served side by side.
 */
final class HandDescribed {
  static final Book BOOK =
      new Book(1, "Dune", Genre.NOVEL, List.of("sand"), Map.of("lang", "en"),
          Instant.parse("1965-08-01T00:00:00Z"), Optional.empty(), new byte[] {1, 2, 3});

  record GetBook(long id) {}

  static final ServiceDescriptor<Library> LIBRARY =
      ServiceDescriptor.builder(Library.class, "handlibrary")
          .operation(
              Operation.<Library, GetBook, Book>builder(
                      "get", RecordType.of(GetBook.class), RecordType.of(Book.class))
                  .invoker((s, r) -> s.get(r.id()))
                  .graphqlField("handGet"))
          .client(
              stub ->
                  new Library() {
                    @Override
                    public Book add(Book book) {
                      throw new UnsupportedOperationException("add");
                    }

                    @Override
                    public Book get(long id) {
                      return stub.call("get", new GetBook(id));
                    }

                    @Override
                    public List<Book> search(String text, Genre genre, int limit) {
                      throw new UnsupportedOperationException("search");
                    }

                    @Override
                    public Saved<Book> put(long id, Book book) {
                      throw new UnsupportedOperationException("put");
                    }
                  })
          .build();

  private HandDescribed() {}
}
