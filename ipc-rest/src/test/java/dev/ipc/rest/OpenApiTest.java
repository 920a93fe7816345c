package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The served OpenAPI document, checked by a real OpenAPI 3.1 parser and validator. */
@Timeout(60)
class OpenApiTest {
  @Test
  void openApi_isValid31AndDescribesEveryRoute() throws Exception {
    try (Server server = Transports.serve(Reference.services(), "rest://127.0.0.1:0")) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port("rest") + "/openapi.json")).build(),
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
      assertThat(api.getPaths()).containsKeys("/tasks", "/tasks/{id}", "/person", "/dating/eating", "/dating/watch-movie");
      PathItem task = api.getPaths().get("/tasks/{id}");
      assertThat(task.getGet().getParameters()).extracting("name", "in").containsExactly(tuple("id", "path"));
      assertThat(task.getPut().getRequestBody().getContent()).containsKeys("application/json", "application/x-www-form-urlencoded");
      assertThat(task.getPut().getResponses()).containsKeys("200", "201", "default");
      assertThat(api.getComponents().getSchemas()).containsKeys("Task", "Person", "Feel", "Problem");
      assertThat(api.getComponents().getSchemas().get("Task").getProperties()).containsKeys("id", "name");
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
