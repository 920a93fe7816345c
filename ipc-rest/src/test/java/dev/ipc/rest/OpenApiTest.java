package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.DatingService;
import dev.ipc.core.PersonService;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.annotation.Rest;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.TransportProvider;
import dev.ipc.core.testing.Book;
import dev.ipc.core.testing.Library;
import dev.ipc.core.testing.MemoryLibrary;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The served OpenAPI document, checked by a real OpenAPI 3.1 parser and validator. */
@Timeout(60)
class OpenApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The document the built-in services served before issue 16 (their REST clients see no change),
   * plus issue 17's bearer security scheme on task.put, which declares {@code @Roles("writer")}.
   */
  private static JsonNode golden() throws Exception {
    try (InputStream in = OpenApiTest.class.getResourceAsStream("/golden/openapi.json")) {
      assertThat(in).as("golden/openapi.json").isNotNull();
      return JSON.readTree(in);
    }
  }

  private static String fetch(Server server) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port("rest") + "/openapi.json"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static TransportProvider provider() {
    for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
      if (p.scheme().equals("rest")) {
        return p;
      }
    }
    throw new AssertionError("no rest provider on the classpath");
  }

  @Test
  void openApi_ofTheBuiltInServices_isTheGolden() throws Exception {
    try (Server server = Transports.serve(Reference.services(), "rest://127.0.0.1:0")) {
      assertThat(JSON.readTree(fetch(server))).isEqualTo(golden());
    }
  }

  @Test
  void schemas_ofTheBuiltInServices_isTheGoldenToo() throws Exception {
    Map<String, String> files =
        provider()
            .schemas(
                List.of(
                    ServiceDescriptor.of(DatingService.class),
                    ServiceDescriptor.of(TaskService.class),
                    ServiceDescriptor.of(PersonService.class)));
    assertThat(files).containsOnlyKeys("openapi.json");
    assertThat(JSON.readTree(files.get("openapi.json"))).isEqualTo(golden());
  }

  @Test
  void schemas_ofLibrary_isWhatALibraryServerServes() throws Exception {
    String written =
        provider().schemas(List.of(ServiceDescriptor.of(Library.class))).get("openapi.json");
    try (Server server = Transports.serve(List.of(new MemoryLibrary()), "rest://127.0.0.1:0")) {
      assertThat(JSON.readTree(written)).isEqualTo(JSON.readTree(fetch(server)));
    }
  }

  @Test
  void openApi_ofLibrary_isValidAndDescribesEveryType() throws Exception {
    String document =
        provider().schemas(List.of(ServiceDescriptor.of(Library.class))).get("openapi.json");
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setValidateInternalRefs(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(document, null, options);
    assertThat(result.getMessages()).isEmpty();

    JsonNode doc = JSON.readTree(document);
    assertThat(doc.get("components").has("securitySchemes"))
        .as("no operation needs a token")
        .isFalse();
    JsonNode schemas = doc.get("components").get("schemas");
    assertThat(schemas.get("Genre"))
        .isEqualTo(
            JSON.readTree("{\"type\":\"string\",\"enum\":[\"NOVEL\",\"POETRY\",\"SCIENCE\"]}"));
    assertThat(schemas.get("Book"))
        .isEqualTo(
            JSON.readTree(
                """
                {"type":"object","properties":{
                  "id":{"type":"integer","format":"int64"},
                  "title":{"type":"string"},
                  "genre":{"$ref":"#/components/schemas/Genre"},
                  "tags":{"type":"array","items":{"type":"string"}},
                  "props":{"type":"object","additionalProperties":{"type":"string"}},
                  "published":{"type":"string","format":"date-time"},
                  "isbn":{"type":["string","null"]},
                  "cover":{"type":"string","format":"byte","contentEncoding":"base64"}},
                 "required":["id"]}"""));
    JsonNode edition = schemas.get("Edition").get("properties");
    assertThat(edition.get("rating"))
        .isEqualTo(JSON.readTree("{\"type\":\"number\",\"format\":\"double\"}"));
    assertThat(edition.get("weight"))
        .isEqualTo(JSON.readTree("{\"type\":\"number\",\"format\":\"float\"}"));
    assertThat(edition.get("printing"))
        .isEqualTo(JSON.readTree("{\"type\":[\"integer\",\"null\"],\"format\":\"int32\"}"));
    assertThat(edition.get("copies"))
        .isEqualTo(JSON.readTree("{\"type\":[\"integer\",\"null\"],\"format\":\"int64\"}"));
    assertThat(edition.get("signed")).isEqualTo(JSON.readTree("{\"type\":[\"boolean\",\"null\"]}"));
    assertThat(edition.get("readingTime"))
        .isEqualTo(JSON.readTree("{\"type\":\"string\",\"format\":\"duration\"}"));
    assertThat(edition.get("price").get("type").asText()).isEqualTo("string");
    assertThat(edition.get("price").get("description").asText())
        .contains("decimal", "string", "12.50");
    assertThat(edition.get("shelf"))
        .isEqualTo(
            JSON.readTree(
                "{\"anyOf\":[{\"$ref\":\"#/components/schemas/Genre\"},{\"type\":\"null\"}]}"));
    assertThat(edition.get("retired"))
        .isEqualTo(JSON.readTree("{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"}"));
    assertThat(edition.get("book"))
        .isEqualTo(JSON.readTree("{\"$ref\":\"#/components/schemas/Book\"}"));
    assertThat(edition.get("related").get("items").get("$ref").asText())
        .isEqualTo("#/components/schemas/Book");
    assertThat(edition.get("translations").get("additionalProperties").get("$ref").asText())
        .isEqualTo("#/components/schemas/Book");
    assertThat(edition.get("counts"))
        .isEqualTo(
            JSON.readTree(
                "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\",\"format\":\"int32\"}}"));
    assertThat(edition.get("genres").get("items").get("$ref").asText())
        .isEqualTo("#/components/schemas/Genre");
    assertThat(schemas.get("Edition").get("required"))
        .isEqualTo(JSON.readTree("[\"inPrint\",\"pages\",\"rating\",\"weight\"]"));

    JsonNode paths = doc.get("paths");
    assertThat(paths.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "/library/add",
            "/library/get",
            "/library/search",
            "/library/put",
            "/library/remove",
            "/library/echo");
    JsonNode search = paths.get("/library/search").get("get");
    assertThat(search.get("parameters").findValuesAsText("name"))
        .containsExactly("text", "genre", "limit");
    assertThat(search.get("parameters").findValuesAsText("in")).containsOnly("query");
    assertThat(search.get("parameters").get(1).get("schema").get("$ref").asText())
        .isEqualTo("#/components/schemas/Genre");
    assertThat(
            search.get("responses").get("200").get("content").get("application/json").get("schema"))
        .isEqualTo(
            JSON.readTree(
                "{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Book\"}}"));
    assertThat(paths.get("/library/echo").has("post")).isTrue();
    JsonNode put =
        paths
            .get("/library/put")
            .get("post")
            .get("requestBody")
            .get("content")
            .get("application/json")
            .get("schema");
    assertThat(put.get("properties").get("book").get("$ref").asText())
        .isEqualTo("#/components/schemas/Book");
    assertThat(put.get("required")).isEqualTo(JSON.readTree("[\"id\"]"));
  }

  /** A service with a route {@link ClashB} takes too. */
  public interface ClashA {
    @Rest(method = "GET", path = "/clash/{id}")
    Book first(long id);
  }

  /** A service with a route {@link ClashA} takes too. */
  public interface ClashB {
    @Rest(method = "GET", path = "/clash/{key}")
    Book second(long key);
  }

  @Test
  void schemas_twoServicesOnOneRoute_failNamingBoth() {
    assertThatThrownBy(
            () ->
                provider()
                    .schemas(
                        List.of(
                            ServiceDescriptor.of(ClashA.class),
                            ServiceDescriptor.of(ClashB.class))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/clash")
        .hasMessageContaining("first")
        .hasMessageContaining("second");
  }

  @Test
  void openApi_isValid31AndDescribesEveryRoute() throws Exception {
    try (Server server = Transports.serve(Reference.services(), "rest://127.0.0.1:0")) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port("rest") + "/openapi.json"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/json");

      ParseOptions options = new ParseOptions();
      options.setResolve(true);
      options.setValidateInternalRefs(true);
      SwaggerParseResult result = new OpenAPIV3Parser().readContents(r.body(), null, options);
      assertThat(result.getMessages()).isEmpty();
      OpenAPI api = result.getOpenAPI();
      assertThat(api.getOpenapi()).isEqualTo("3.1.0");
      assertThat(api.getPaths())
          .containsKeys(
              "/tasks", "/tasks/{id}", "/person", "/dating/eating", "/dating/watch-movie");
      PathItem task = api.getPaths().get("/tasks/{id}");
      assertThat(task.getGet().getParameters())
          .extracting("name", "in")
          .containsExactly(tuple("id", "path"));
      assertThat(task.getPut().getRequestBody().getContent())
          .containsKeys("application/json", "application/x-www-form-urlencoded");
      assertThat(task.getPut().getResponses()).containsKeys("200", "201", "default");
      assertThat(api.getComponents().getSchemas())
          .containsKeys("Task", "Person", "Feel", "Problem");
      assertThat(api.getComponents().getSchemas().get("Task").getProperties())
          .containsKeys("id", "name");
      // task.put needs role writer: a bearer scheme, required there only.
      io.swagger.v3.oas.models.security.SecurityScheme bearer =
          api.getComponents().getSecuritySchemes().get("bearerAuth");
      assertThat(bearer.getType())
          .isEqualTo(io.swagger.v3.oas.models.security.SecurityScheme.Type.HTTP);
      assertThat(bearer.getScheme()).isEqualTo("bearer");
      assertThat(task.getPut().getSecurity())
          .singleElement()
          .satisfies(req -> assertThat(req).containsOnlyKeys("bearerAuth"));
      assertThat(task.getPut().getDescription()).contains("role writer");
      assertThat(task.getPut().getResponses()).containsKeys("401", "403");
      assertThat(task.getGet().getSecurity()).isNull();
      assertThat(api.getPaths().get("/tasks").getGet().getSecurity()).isNull();
    }
  }

  @Test
  void openApi_brokenDocument_isReportedByTheValidator() {
    // Guards the check above: the validator does report a broken 3.1 document.
    SwaggerParseResult result =
        new OpenAPIV3Parser()
            .readContents(
                "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"x\",\"version\":\"1\"},\"paths\":{\"/a\":{\"get\":{\"responses\":"
                    + "{\"200\":{\"description\":\"ok\",\"content\":{\"application/json\":{\"schema\":"
                    + "{\"$ref\":\"#/components/schemas/Missing\"}}}}}}}}}",
                null,
                new ParseOptions());
    assertThat(result.getMessages()).singleElement().asString().contains("Missing is missing");
  }
}
