package dev.ipc.examples.bench;

import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.examples.library.Book;
import dev.ipc.examples.library.Genre;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code get(long)} described by hand with the explicit builder (a request record, a lambda
 * invoker, a lambda client): the baseline the derived model's reflection and proxy are measured
 * against. Its own interface and names, so both can be served side by side.
 */
final class HandDescribed {
  static final Book BOOK =
      new Book(
          1,
          "Dune",
          Genre.NOVEL,
          List.of("sand"),
          Map.of("lang", "en"),
          Instant.parse("1965-08-01T00:00:00Z"),
          Optional.empty(),
          new byte[] {1, 2, 3});

  /** The one operation the benchmark calls, as its own service. */
  @FunctionalInterface
  interface BookLookup {
    Book get(long id);
  }

  record GetBook(long id) {}

  static final ServiceDescriptor<BookLookup> LOOKUP =
      ServiceDescriptor.builder(BookLookup.class, "handlibrary")
          .operation(
              Operation.<BookLookup, GetBook, Book>builder(
                      "get", RecordType.of(GetBook.class), RecordType.of(Book.class))
                  .invoker((s, r) -> s.get(r.id()))
                  .graphqlField("handGet"))
          .client(stub -> id -> stub.call("get", new GetBook(id)))
          .build();

  private HandDescribed() {}
}
