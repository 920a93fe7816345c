package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.DatingService;
import dev.ipc.core.PersonService;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.TransportProvider;
import dev.ipc.core.testing.Book;
import dev.ipc.core.testing.Library;
import dev.ipc.core.testing.MemoryLibrary;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The generated SDL: the built-in services' schema pinned to a golden file, the derived Library's
 * schema with every type, the SPI's {@code schemas}, and two services claiming one field.
 */
@Timeout(60)
class GraphqlSchemaTest {
  /** A second derived service with a query named like Library's. */
  public interface Shelf {
    /** Collides with {@link Library#get}. */
    Book get(long id);
  }

  /** Implements {@link Shelf}. */
  static final class MemoryShelf implements Shelf {
    @Override
    public Book get(long id) {
      return new Book(
          id, "shelved", null, List.of(), Map.of(), null, Optional.empty(), new byte[0]);
    }
  }

  private static String golden() throws Exception {
    try (InputStream in = GraphqlSchemaTest.class.getResourceAsStream("/golden/schema.graphql")) {
      assertThat(in).as("golden/schema.graphql on the test classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String get(Server server, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port("graphql") + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static Server serve(List<?> services) {
    return Transports.builder()
        .services(services)
        .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
        .start();
  }

  private static TransportProvider provider() {
    return ServiceLoader.load(TransportProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.scheme().equals("graphql"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void referenceServices_serveTheGoldenSchemaToTheByte() throws Exception {
    try (Server server = serve(Reference.services())) {
      assertThat(get(server, "/graphql/schema.graphql")).isEqualTo(golden());
    }
  }

  @Test
  void schemasSpi_writesTheSameDocumentAsTheServer() throws Exception {
    Map<String, String> files =
        provider()
            .schemas(
                List.of(
                    DatingService.DESCRIPTOR, TaskService.DESCRIPTOR, PersonService.DESCRIPTOR));
    assertThat(files).containsOnlyKeys("schema.graphql");
    assertThat(files.get("schema.graphql")).isEqualTo(golden());

    String library =
        provider().schemas(List.of(ServiceDescriptor.of(Library.class))).get("schema.graphql");
    try (Server server = serve(List.of(new MemoryLibrary()))) {
      assertThat(get(server, "/graphql/schema.graphql")).isEqualTo(library);
    }
  }

  @Test
  void library_schemaHasEveryType() {
    String sdl = GraphqlEngine.sdl(List.of(ServiceDescriptor.of(Library.class)));
    assertThat(sdl)
        .contains(
            "type Mutation {\n"
                + "  add(id: Long!, title: String, genre: Genre, tags: [String], props: [BookPropsEntryInput!],"
                + " published: Instant, isbn: String, cover: Base64): Book\n"
                + "  put(id: Long!, book: BookInput): Book\n"
                + "  remove(id: Long!): Boolean\n"
                + "}")
        .contains(
            "type Query {\n"
                + "  get(id: Long!): Book\n"
                + "  search(text: String, genre: Genre, limit: Int!): [Book!]\n")
        .contains(
            "type Book {\n  id: Long!\n  title: String\n  genre: Genre\n  tags: [String]\n"
                + "  props: [BookPropsEntry!]\n  published: Instant\n  isbn: String\n  cover: Base64\n}")
        .contains("type BookPropsEntry {\n  key: String!\n  value: String!\n}")
        .contains("input BookPropsEntryInput {\n  key: String!\n  value: String!\n}")
        .contains("type EditionTranslationsEntry {\n  key: String!\n  value: Book!\n}")
        .contains("input EditionTranslationsEntryInput {\n  key: String!\n  value: BookInput!\n}")
        .contains("type EditionCountsEntry {\n  key: String!\n  value: Int!\n}")
        .contains("enum Genre {\n  NOVEL\n  POETRY\n  SCIENCE\n}")
        .contains(
            "type Edition {\n  inPrint: Boolean!\n  pages: Int!\n  rating: Float!\n  weight: Float!\n"
                + "  printing: Int\n  copies: Long\n  signed: Boolean\n  readingTime: Duration\n"
                + "  price: Decimal\n  shelf: Genre\n  retired: Instant\n  book: Book\n  related: [Book]\n"
                + "  translations: [EditionTranslationsEntry!]\n  counts: [EditionCountsEntry!]\n"
                + "  genres: [Genre]\n  ids: [Long]\n}");
    // Every custom scalar says its form.
    assertThat(sdl)
        .containsPattern("\"Bytes, as a base64 string[^\"]*\"\nscalar Base64")
        .containsPattern("\"A point in time, as an RFC 3339 string[^\"]*\"\nscalar Instant")
        .containsPattern(
            "\"A length of time, as an ISO-8601 duration string[^\"]*\"\nscalar Duration")
        .containsPattern("\"An exact decimal number, as a string[^\n]*\"\nscalar Decimal")
        .contains("scalar Long");
    // A non-Java client's tools can read it.
    TypeDefinitionRegistry registry = new SchemaParser().parse(sdl);
    assertThat(registry.types()).containsKeys("Genre", "Book", "BookPropsEntry", "Edition");
    assertThat(registry.scalars()).containsKeys("Base64", "Instant", "Duration", "Decimal", "Long");
  }

  @Test
  void clientDocuments_selectEveryFieldAndValidateAgainstTheSchema() {
    ServiceDescriptor<Library> library = ServiceDescriptor.of(Library.class);
    String book = "{ id title genre tags props { key value } published isbn cover }";
    assertThat(GraphqlClient.document(library.operation("search")))
        .isEqualTo(
            "query($text: String, $genre: Genre, $limit: Int!) {"
                + " search(text: $text, genre: $genre, limit: $limit) "
                + book
                + " }");
    assertThat(GraphqlClient.document(library.operation("put")))
        .isEqualTo(
            "mutation($id: Long!, $book: BookInput) { put(id: $id, book: $book) " + book + " }");
    // A void method's field is a Boolean: nothing to select.
    assertThat(GraphqlClient.document(library.operation("remove")))
        .isEqualTo("mutation($id: Long!) { remove(id: $id) }");
    assertThat(GraphqlClient.document(library.operation("echo")))
        .contains(
            "$translations: [EditionTranslationsEntryInput!], $counts: [EditionCountsEntryInput!]")
        .contains(" translations { key value " + book + " } counts { key value } genres ids }");

    GraphqlEngine engine =
        new GraphqlEngine(
            List.of(Bound.of(library, new MemoryLibrary())),
            new GraphqlEngine.Limits(15, 500, 15_000, 30, true, 10));
    for (dev.ipc.core.model.Operation<?, ?, ?> op : library.operations()) {
      String document = GraphqlClient.document(op);
      assertThat(
              graphql.ParseAndValidate.parseAndValidate(
                      engine.schema(), graphql.ExecutionInput.newExecutionInput(document).build())
                  .getErrors())
          .as(document)
          .isEmpty();
    }
  }

  @Test
  void twoServicesClaimingOneField_failAtStartNamingBoth() {
    assertThatThrownBy(() -> serve(List.of(new MemoryLibrary(), new MemoryShelf())).close())
        .satisfies(
            e ->
                assertThat(messages(e))
                    .contains("Query.get")
                    .contains("library.get")
                    .contains("shelf.get"));
    assertThatThrownBy(
            () ->
                provider()
                    .schemas(
                        List.of(
                            ServiceDescriptor.of(Library.class),
                            ServiceDescriptor.of(Shelf.class))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Query.get")
        .hasMessageContaining("library.get")
        .hasMessageContaining("shelf.get");
  }

  private static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable e = t; e != null; e = e.getCause()) {
      sb.append(e.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
