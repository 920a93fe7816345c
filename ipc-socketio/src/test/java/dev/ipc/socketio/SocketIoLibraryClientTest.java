package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Transports;
import dev.ipc.core.annotation.Event;
import dev.ipc.core.annotation.Publishes;
import dev.ipc.core.model.Reply;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.testing.Book;
import dev.ipc.core.testing.Edition;
import dev.ipc.core.testing.Genre;
import dev.ipc.core.testing.Library;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every type of the model through {@link SocketIoClient} against a real server: what the Java
 * client sends, what it reads back, and what a published event carries, in the JSON forms of REST.
 */
@Timeout(60)
class SocketIoLibraryClientTest {
  private static final byte[] COVER = {0, 1, 2, (byte) 250, (byte) 255};

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  static Book book(long id, String title) {
    return new Book(
        id,
        title,
        Genre.NOVEL,
        List.of("sf", "classic"),
        Map.of("lang", "en"),
        Instant.parse("1965-08-01T00:00:00.123456789Z"),
        Optional.of("978-0441013593"),
        COVER.clone());
  }

  static Edition edition() {
    return new Edition(
        true,
        412,
        4.1,
        0.1f,
        3,
        5_000_000_000L,
        false,
        Duration.ofMinutes(90).plusNanos(1),
        new BigDecimal("12345678901234567890.50"),
        Optional.of(Genre.POETRY),
        Optional.of(Instant.parse("2026-12-05T10:15:30Z")),
        book(1, "Dune"),
        List.of(book(2, "Poems")),
        Map.of("fr", book(3, "Dune (fr)")),
        Map.of("a", 1, "b", -2),
        List.of(Genre.SCIENCE, Genre.NOVEL),
        List.of(1L, Long.MIN_VALUE, Long.MAX_VALUE));
  }

  private SocketIoClient client(Server server) {
    SocketIoClient client =
        SocketIoClient.builder().target("127.0.0.1", server.port("socketio")).build();
    cleanup.add(client);
    return client;
  }

  private Server library() {
    Server server = Libraries.start();
    cleanup.add(server);
    return server;
  }

  @Test
  void echo_everyType_roundTrips() {
    Library library = client(library()).service(Library.class);
    Edition sent = edition();

    Edition back = library.echo(sent);

    // Records compare byte[] by identity; the recursive comparison compares their contents.
    assertThat(back).usingRecursiveComparison().isEqualTo(sent);
    assertThat(back.book().cover()).containsExactly(COVER);
    assertThat(back.price()).isEqualTo(new BigDecimal("12345678901234567890.50"));
    assertThat(back.weight()).isEqualTo(0.1f);
    assertThat(back.rating()).isEqualTo(4.1);
  }

  @Test
  void echo_absentValues_stayAbsent() {
    Library library = client(library()).service(Library.class);
    Edition sent =
        new Edition(
            false,
            0,
            0,
            0,
            null,
            null,
            null,
            null,
            null,
            Optional.empty(),
            Optional.empty(),
            null,
            List.of(),
            Map.of(),
            Map.of(),
            List.of(),
            List.of());

    Edition back = library.echo(sent);

    assertThat(back).usingRecursiveComparison().isEqualTo(sent);
    assertThat(back.printing()).isNull();
    assertThat(back.shelf()).isEmpty();
    assertThat(back.retired()).isEmpty();
  }

  @Test
  void addGetSearchPutRemove_everyBookField() {
    Library library = client(library()).service(Library.class);
    Book dune = book(7, "Dune");
    Book poems =
        new Book(
            8, "Leaves of Grass", Genre.POETRY, List.of(), Map.of(), null, Optional.empty(), null);

    assertThat(library.add(dune)).usingRecursiveComparison().isEqualTo(dune);
    library.add(poems);
    assertThat(library.get(8)).usingRecursiveComparison().isEqualTo(poems);
    assertThat(library.search("", Genre.NOVEL, 10))
        .usingRecursiveFieldByFieldElementComparator()
        .containsExactly(dune);
    assertThat(library.put(8, poems).created()).isFalse();
    assertThat(library.put(9, book(9, "Cosmos")).created()).isTrue();
    library.remove(9);
    assertThatThrownBy(() -> library.get(9))
        .isInstanceOfSatisfying(
            ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void put_serviceRejects_isInvalidArgumentNamingTheField() {
    Library library = client(library()).service(Library.class);

    assertThatThrownBy(() -> library.put(1, book(2, "Dune")))
        .isInstanceOfSatisfying(
            ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining("book.id");
  }

  @Test
  void remove_void_acksAnEmptyObject() throws Exception {
    Server server = library();
    SocketIoClient client = client(server);
    Library library = client.service(Library.class);
    library.add(book(1, "Dune"));
    ServiceDescriptor<Library> described = ServiceDescriptor.of(Library.class);

    Reply reply = client.call(described.operation("remove"), new Object[] {1L});

    assertThat(reply.value()).isInstanceOf(Object[].class);
    assertThat((Object[]) reply.value()).isEmpty();
    assertThat(described.operation("remove").output().fields()).isEmpty();
  }

  /** A service whose one operation publishes what it answers, to see a published event's JSON. */
  public interface Shelf {
    /** Answers and broadcasts {@code edition}. */
    @Publishes("shelf:shelved")
    Edition shelve(Edition edition);
  }

  /** The client's view of an operation the server has no service for, but a host handler. */
  public interface RawShelf {
    /** Emits {@code raw:shelve}. */
    @Event("raw:shelve")
    Edition shelve(Edition edition);
  }

  @Test
  void publishedEvent_everyTypeInItsJsonForm() throws Exception {
    Server server =
        Transports.builder()
            .services(List.of((Shelf) e -> e))
            .transport(SocketIoTransport.builder().host("127.0.0.1").port(0).build())
            .start();
    cleanup.add(server);
    SocketIoClient client = client(server);
    LinkedBlockingQueue<Object> heard = new LinkedBlockingQueue<>();
    cleanup.add(client.onEvent("shelf:shelved", heard::add));

    client.service(Shelf.class).shelve(edition());

    assertEditionJson(heard.poll(30, TimeUnit.SECONDS));
  }

  @Test
  void request_everyTypeInItsJsonForm() throws Exception {
    // A host handler sees the event's payload as the client wrote it, and acks it back unchanged.
    LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
    Server server =
        Transports.builder()
            .services(List.of((Shelf) e -> e))
            .transport(
                SocketIoTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .on(
                        "raw:shelve",
                        (session, data, ack) -> {
                          received.add(data);
                          ack.send(data);
                        })
                    .build())
            .start();
    cleanup.add(server);
    SocketIoClient client = client(server);

    Edition back = client.service(RawShelf.class).shelve(edition());

    assertEditionJson(received.poll(30, TimeUnit.SECONDS));
    assertThat(back).usingRecursiveComparison().isEqualTo(edition());
  }

  /** Asserts the JSON of {@link #edition()}, as plain values. */
  @SuppressWarnings("unchecked")
  private static void assertEditionJson(Object json) {
    assertThat(json).isInstanceOf(Map.class);
    Map<String, Object> e = (Map<String, Object>) json;
    assertThat(e)
        .containsEntry("inPrint", true)
        .containsEntry("pages", 412)
        .containsEntry("printing", 3)
        .containsEntry("copies", 5_000_000_000L)
        .containsEntry("signed", false)
        .containsEntry("readingTime", "PT1H30M0.000000001S")
        .containsEntry("price", "12345678901234567890.50")
        .containsEntry("shelf", "POETRY")
        .containsEntry("retired", "2026-12-05T10:15:30Z")
        .containsEntry("counts", Map.of("a", 1, "b", -2))
        .containsEntry("genres", List.of("SCIENCE", "NOVEL"))
        .containsEntry("ids", List.of(1, Long.MIN_VALUE, Long.MAX_VALUE));
    assertThat(((Number) e.get("rating")).doubleValue()).isEqualTo(4.1);
    assertThat(((Number) e.get("weight")).floatValue()).isEqualTo(0.1f);
    Map<String, Object> book = (Map<String, Object>) e.get("book");
    assertThat(book)
        .containsEntry("id", 1)
        .containsEntry("title", "Dune")
        .containsEntry("genre", "NOVEL")
        .containsEntry("tags", List.of("sf", "classic"))
        .containsEntry("props", Map.of("lang", "en"))
        .containsEntry("published", "1965-08-01T00:00:00.123456789Z")
        .containsEntry("isbn", "978-0441013593")
        .containsEntry("cover", "AAEC+v8=");
    assertThat((List<Object>) e.get("related")).hasSize(1);
    assertThat(((Map<String, Object>) ((List<Object>) e.get("related")).get(0)))
        .containsEntry("title", "Poems");
    assertThat((Map<String, Object>) e.get("translations")).containsOnlyKeys("fr");
    assertThat(((Map<String, Map<String, Object>>) e.get("translations")).get("fr"))
        .containsEntry("title", "Dune (fr)")
        .containsEntry("cover", "AAEC+v8=");
  }
}
