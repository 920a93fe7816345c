package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.annotation.Event;
import dev.ipc.core.annotation.Graphql;
import dev.ipc.core.annotation.Grpc;
import dev.ipc.core.annotation.IpcService;
import dev.ipc.core.annotation.Mutation;
import dev.ipc.core.annotation.Param;
import dev.ipc.core.annotation.Publishes;
import dev.ipc.core.annotation.Query;
import dev.ipc.core.annotation.Rest;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.InvalidValueException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.testing.Book;
import dev.ipc.core.testing.Edition;
import dev.ipc.core.testing.Genre;
import dev.ipc.core.testing.Library;
import dev.ipc.core.testing.MemoryLibrary;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model derived from plain interfaces: names, types, overrides, and clear refusals. */
class DerivedModelTest {

  @Test
  void library_namesDeriveFromJavaNames() {
    ServiceDescriptor<Library> d = ServiceDescriptor.of(Library.class);
    assertThat(d).isSameAs(ServiceDescriptor.of(Library.class));
    assertThat(d.name()).isEqualTo("library");
    assertThat(d.grpcFullName()).isEqualTo("library.Library");
    // Source order, read from the class file, whatever order reflection uses.
    assertThat(d.operations())
        .extracting(Operation::name)
        .containsExactly("add", "get", "search", "put", "remove", "echo");
    assertThat(d.operations())
        .extracting(Operation::kind)
        .containsExactly(
            Operation.Kind.MUTATION,
            Operation.Kind.QUERY,
            Operation.Kind.QUERY,
            Operation.Kind.MUTATION,
            Operation.Kind.MUTATION,
            Operation.Kind.QUERY);
    assertThat(d.operations())
        .extracting(o -> o.restMethod() + " " + o.restPath())
        .containsExactly(
            "POST /library/add",
            "GET /library/get",
            "GET /library/search",
            "POST /library/put",
            "POST /library/remove",
            // A query whose request holds a record cannot travel in a query string.
            "POST /library/echo");
    assertThat(d.operations())
        .extracting(Operation::grpcMethod)
        .containsExactly("Add", "Get", "Search", "Put", "Remove", "Echo");
    assertThat(d.operations())
        .extracting(Operation::event)
        .containsExactly(
            "library:add",
            "library:get",
            "library:search",
            "library:put",
            "library:remove",
            "library:echo");

    assertThat(d.operation("add").input().name()).isEqualTo("Book");
    assertThat(d.operation("get").input().name()).isEqualTo("GetRequest");
    assertThat(fields(d.operation("get").input())).isEqualTo("id=1:INT64");
    assertThat(fields(d.operation("search").input()))
        .isEqualTo("text=1:STRING, genre=2:ENUM, limit=3:INT32");
    assertThat(fields(d.operation("put").input())).isEqualTo("id=1:INT64, book=2:MESSAGE");
    assertThat(d.operation("search").many()).isTrue();
    assertThat(d.operation("search").grpcResponseMessage()).isEqualTo("SearchResponse");
    assertThat(d.operation("remove").output().name()).isEqualTo("RemoveResponse");
    assertThat(d.operation("remove").output().fields()).isEmpty();
  }

  @Test
  void types_mapEveryJavaTypeToAFieldShape() {
    assertThat(fields(RecordType.of(Book.class)))
        .isEqualTo(
            "id=1:INT64, title=2:STRING, genre=3:ENUM, tags=4:repeated STRING, props=5:map STRING,"
                + " published=6:TIMESTAMP, isbn=7:optional STRING, cover=8:BYTES");
    assertThat(fields(RecordType.of(Edition.class)))
        .isEqualTo(
            "inPrint=1:BOOL, pages=2:INT32, rating=3:DOUBLE, weight=4:FLOAT, printing=5:optional INT32,"
                + " copies=6:optional INT64, signed=7:optional BOOL, readingTime=8:DURATION,"
                + " price=9:DECIMAL, shelf=10:optional ENUM, retired=11:optional TIMESTAMP,"
                + " book=12:MESSAGE, related=13:repeated MESSAGE, translations=14:map MESSAGE,"
                + " counts=15:map INT32, genres=16:repeated ENUM, ids=17:repeated INT64");
    Field genre = RecordType.of(Book.class).field("genre");
    assertThat(genre.enumType().name()).isEqualTo("Genre");
    assertThat(genre.enumType().values()).containsExactly("NOVEL", "POETRY", "SCIENCE");
    assertThat(RecordType.of(Edition.class).field("printing").nonNull()).isFalse();
    assertThat(RecordType.of(Edition.class).field("pages").nonNull()).isTrue();
  }

  @Test
  void create_acceptsWhatJsonDecodersProduce() {
    RecordType<Book> type = RecordType.of(Book.class);
    Book b =
        type.create(
            Map.of(
                "id", 7,
                "title", "T",
                "genre", "SCIENCE",
                "tags", List.of("a"),
                "props", Map.of("k", "v"),
                "published", "2026-12-05T10:15:30+01:00",
                "isbn", "x",
                "cover", "AAH/"));
    assertThat(b.id()).isEqualTo(7L);
    assertThat(b.genre()).isEqualTo(Genre.SCIENCE);
    assertThat(b.published()).isEqualTo(Instant.parse("2026-12-05T09:15:30Z"));
    assertThat(b.isbn()).contains("x");
    assertThat(b.cover()).containsExactly(0, 1, -1);
    assertThat(type.field("isbn").get(type.create(Map.of("title", "T")))).isNull();
    assertThat(type.create(Map.of("title", "T")).isbn()).isEmpty();
    assertThat(type.create(Map.of("title", "T", "genre", 2)).genre()).isEqualTo(Genre.SCIENCE);

    assertInvalid(() -> type.create(Map.of("title", "T", "genre", "HORROR")), "genre: HORROR");
    assertInvalid(() -> type.create(Map.of("title", "T", "published", "yesterday")), "published");
    assertInvalid(() -> type.create(Map.of("title", "T", "cover", "!!")), "cover");
    assertInvalid(() -> type.create(Map.of("title", "T", "props", Map.of("k", 1))), "props");
    RecordType<Edition> edition = RecordType.of(Edition.class);
    assertInvalid(
        () -> edition.create(Map.of("price", "1e999999999")), "price: a decimal of 1 digits");
    assertInvalid(
        () -> edition.create(Map.of("price", new java.math.BigDecimal("1e-2000"))), "price");
    assertThat(edition.create(Map.of("price", "-12.50")).price()).isEqualByComparingTo("-12.5");
    assertThat(edition.create(Map.of("rating", "NaN", "weight", "-Infinity")).rating()).isNaN();
    assertThat(edition.create(Map.of("weight", "-Infinity")).weight())
        .isEqualTo(Float.NEGATIVE_INFINITY);
    assertInvalid(
        () -> edition.create(Map.of("rating", "1.5")), "rating: String (expected: number)");
    // The record's own compact constructor is the validation every protocol reports.
    assertInvalid(() -> type.create(Map.of("title", " ")), "title: must not be blank");
  }

  @Test
  void serve_plainImplementation_noDescriptorNeeded() {
    TestTransport t = new TestTransport("t", 0);
    try (Server server = Transports.serve(List.of(new MemoryLibrary()), t)) {
      assertThat(server.port("t")).isPositive();
      Library library = dev.ipc.core.model.ServiceDescriptor.of(Library.class).client(t.caller());
      Book book =
          new Book(1, "T", Genre.NOVEL, List.of(), Map.of(), null, Optional.empty(), new byte[0]);
      assertThat(library.add(book)).isSameAs(book);
      assertThat(library.search("t", Genre.NOVEL, 5)).containsExactly(book);
    }
  }

  interface Finder {
    Line find(Optional<String> sku, Integer count);
  }

  @Test
  void proxy_passesAnAbsentOptionalAsEmptyNotNull() {
    TestTransport t = new TestTransport("t", 0);
    Finder impl = (sku, count) -> new Line(sku.orElse("none"), count == null ? -1 : count);
    try (Server server = Transports.serve(List.of(impl), t)) {
      Finder finder = ServiceDescriptor.of(Finder.class).client(t.caller());
      assertThat(finder.find(null, null)).isEqualTo(new Line("none", -1));
      assertThat(finder.find(Optional.of("x"), 0)).isEqualTo(new Line("x", 0));
      assertThat(server.port("t")).isPositive();
    }
  }

  // ---- overrides

  @IpcService(name = "shop", grpcPackage = "acme.shop.v1", grpcService = "Shop")
  interface Shop {
    @Query
    @Grpc(method = "AddUp", responseMessage = "Lines", responseField = "lines")
    @Rest(method = "GET", path = "/carts/{cart}/total")
    @Graphql(field = "cartTotal")
    List<Line> addUp(String cart);

    @Mutation
    @Event("cart:clear")
    @Publishes("cart:cleared")
    Line empty(@Param("cartId") String cart);
  }

  record Line(String sku, int count) {}

  @Test
  void annotations_overrideEveryName() {
    ServiceDescriptor<Shop> d = ServiceDescriptor.of(Shop.class);
    assertThat(d.grpcFullName()).isEqualTo("acme.shop.v1.Shop");
    Operation<Shop, ?, ?> addUp = d.operation("addUp");
    assertThat(addUp.kind()).isEqualTo(Operation.Kind.QUERY);
    assertThat(addUp.grpcMethod()).isEqualTo("AddUp");
    assertThat(addUp.grpcResponseMessage()).isEqualTo("Lines");
    assertThat(addUp.grpcResponseField()).isEqualTo("lines");
    assertThat(addUp.input().name()).isEqualTo("AddUpRequest");
    assertThat(addUp.restMethod() + " " + addUp.restPath()).isEqualTo("GET /carts/{cart}/total");
    assertThat(addUp.graphqlField()).isEqualTo("cartTotal");
    Operation<Shop, ?, ?> empty = d.operation("empty");
    assertThat(empty.kind()).isEqualTo(Operation.Kind.MUTATION);
    assertThat(empty.event()).isEqualTo("cart:clear");
    assertThat(empty.publishes()).isEqualTo("cart:cleared");
    assertThat(fields(empty.input())).isEqualTo("cartId=1:STRING");
  }

  // ---- refusals: each fails at serve, naming the method and the type

  interface TakesObject {
    Line put(Object thing);
  }

  interface RawList {
    Line put(@SuppressWarnings("rawtypes") List things);
  }

  interface IntegerKeys {
    Line put(Map<Integer, String> byNumber);
  }

  interface ScalarAnswer {
    int count();
  }

  interface Overloaded {
    Line get(String sku);

    Line get(int position);
  }

  interface SameRoute {
    @Rest(method = "POST", path = "/lines/{id}")
    Line add(String id);

    @Rest(method = "POST", path = "/lines/{sku}")
    Line create(String sku);
  }

  interface BadRecord {
    Line add(WithDate line);
  }

  record WithDate(java.util.Date when) {}

  @Test
  void badModels_failAtServeNamingTheMethodAndType() {
    assertServeFails(
        (TakesObject) thing -> null,
        "TakesObject.put parameter thing: java.lang.Object (expected:");
    assertServeFails((RawList) things -> null, "RawList.put parameter things: raw List");
    assertServeFails(
        (IntegerKeys) byNumber -> null,
        "IntegerKeys.put parameter byNumber: java.util.Map<java.lang.Integer, java.lang.String>"
            + " (expected: a Map with String keys)");
    assertServeFails((ScalarAnswer) () -> 1, "ScalarAnswer.count: returns int (expected: a record");
    assertServeFails(
        new Overloaded() {
          @Override
          public Line get(String sku) {
            return null;
          }

          @Override
          public Line get(int position) {
            return null;
          }
        },
        "Overloaded.get: overloaded");
    assertServeFails(
        new SameRoute() {
          @Override
          public Line add(String id) {
            return null;
          }

          @Override
          public Line create(String sku) {
            return null;
          }
        },
        "add and create both map to REST route POST /lines/{}");
    assertServeFails((BadRecord) line -> null, "BadRecord.add: ");
    assertServeFails((BadRecord) line -> null, "WithDate.when: java.util.Date");
  }

  @Test
  void missingParameterNames_sayWhatToDo(@TempDir Path dir) throws Exception {
    Path src = dir.resolve("acme/Plain.java");
    Files.createDirectories(src.getParent());
    Files.writeString(
        src, "package acme; public interface Plain { dev.ipc.core.Task get(long id); }");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    // No -parameters: the names are not in the class file.
    int status =
        javac.run(
            null,
            null,
            null,
            "-d",
            dir.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            src.toString());
    assertThat(status).isZero();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Class<?> plain = loader.loadClass("acme.Plain");
      assertThatThrownBy(() -> ServiceDescriptor.of(plain))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Plain.get: parameter names are not in the class file")
          .hasMessageContaining("-parameters")
          .hasMessageContaining("@Param");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertServeFails(Object implementation, String message) {
    assertThatThrownBy(
            () -> Transports.serve(List.of(implementation), new TestTransport("t", 0)).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  private static void assertInvalid(Runnable call, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            InvalidValueException.class,
            e -> {
              // The model's refusal, which every transport answers as INVALID_ARGUMENT.
              assertThat(ServiceException.from(e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(message);
            });
  }

  private static String fields(RecordType<?> type) {
    return type.fields().stream().map(Field::toString).collect(Collectors.joining(", "));
  }
}
