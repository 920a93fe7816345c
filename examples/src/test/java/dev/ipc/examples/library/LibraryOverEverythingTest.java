package dev.ipc.examples.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Client;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Saved;
import dev.ipc.core.Schemas;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Transports;
import dev.ipc.core.model.ServiceDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The host program, as written there: a plain interface served on four protocols from one
 * call, and called through the typed proxy of each protocol's Java client.
 */
@Timeout(60)
class LibraryOverEverythingTest {
  private static Server server;

  @BeforeAll
  static void start() {
    server = LibraryOverEverything.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"grpc", "rest", "graphql", "socketio"})
  void typedProxy_callsEveryOperation(String scheme) {
    long id = 100 + scheme.length() * 10L + scheme.charAt(0);
    Book book =
        new Book(
            id,
            "Dune over " + scheme,
            Genre.SCIENCE,
            List.of("sand", "spice"),
            Map.of("lang", "en"),
            Instant.parse("1965-08-01T00:00:00Z"),
            Optional.of("978-0441013593"),
            new byte[] {1, 2, 3});
    try (Client c = Transports.connect(scheme + "://localhost:" + server.port(scheme))) {
      Library lib = c.service(Library.class);
      assertThat(lib.add(book)).usingRecursiveComparison().isEqualTo(book);
      assertThat(lib.get(id)).usingRecursiveComparison().isEqualTo(book);
      assertThat(lib.search("over " + scheme, Genre.SCIENCE, 5))
          .extracting(Book::id)
          .containsExactly(id);
      Saved<Book> replaced = lib.put(id, book);
      assertThat(replaced.created()).isFalse();
      assertThatThrownBy(() -> lib.get(-5))
          .isInstanceOfSatisfying(
              ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
  }

  @Test
  void main_runsAsShown() {
    LibraryOverEverything.main(new String[0]);
    // main prints what it read back; reaching here means every protocol answered.
    assertThat(ServiceDescriptor.of(Library.class).operations()).hasSize(4);
  }

  @Test
  void schemas_writesProtoSdlAndOpenApiThatToolsAccept(@TempDir Path dir) throws Exception {
    List<Path> files = Schemas.write(dir, List.of(ServiceDescriptor.of(Library.class)));
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .contains("library.proto", "schema.graphql", "openapi.json");

    // ipc-grpc's tests compile this text with protoc and call it from Python; here, that the
    // command
    // wrote the service as a host's interface declares it.
    assertThat(Files.readString(dir.resolve("library.proto")))
        .contains("syntax = \"proto3\";")
        .contains("service Library {")
        .contains("rpc Search(SearchRequest) returns (SearchResponse);")
        .contains("enum Genre {")
        .contains("map<string, string> props = 5;")
        .contains("optional string isbn = 7;")
        .contains("google.protobuf.Timestamp published = 6;");

    String sdl = Files.readString(dir.resolve("schema.graphql"));
    assertThat(sdl).contains("enum Genre").contains("type Book").contains("search(");
    graphql.schema.idl.SchemaParser parser = new graphql.schema.idl.SchemaParser();
    assertThat(parser.parse(sdl).getType("Book")).isPresent();

    JsonNode openapi = new ObjectMapper().readTree(dir.resolve("openapi.json").toFile());
    assertThat(openapi.path("paths").has("/library/add")).isTrue();
    assertThat(openapi.path("paths").path("/library/search").has("get")).isTrue();
  }
}
