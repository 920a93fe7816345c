package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GraphiQL in a real headless Chromium: the page loads from the jar, runs the article's query, shows the data. */
@Timeout(120)
class GraphiqlBrowserTest {
  // Waits (in the page, not in Java) for the editor, runs the query with GraphiQL's own button, and
  // resolves with the response pane's text once it shows data.
  private static final String RUN_ARTICLE_QUERY =
      """
      new Promise((resolve, reject) => {
        const deadline = Date.now() + 30000;
        let clicked = false;
        const text = (selector) => {
          const cm = document.querySelector(selector + ' .CodeMirror');
          return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
        };
        (function poll() {
          const query = text('.graphiql-query-editor');
          const button = document.querySelector('.graphiql-execute-button');
          if (!clicked && button && query.includes('hobby')) {
            button.click();
            clicked = true;
          }
          const response = text('.result-window');
          if (response.includes('Rootkit')) {
            resolve({query: query, response: response, title: document.title});
            return;
          }
          if (Date.now() > deadline) {
            reject(new Error('no data shown; page says: ' + document.body.innerText.slice(0, 500)));
            return;
          }
          setTimeout(poll, 100);
        })();
      })
      """;

  @Test
  void graphiql_runsTheArticleQueryAndShowsTheData() throws Exception {
    try (Server server =
            Transports.builder()
                .services(Reference.services())
                .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
                .start();
        Chromium chromium = new Chromium()) {
      chromium.open("http://127.0.0.1:" + server.port("graphql") + "/graphql");
      JsonNode shown = chromium.evaluate(RUN_ARTICLE_QUERY);
      Path shot = Path.of("target", "graphiql.png");
      Files.write(shot, chromium.screenshot());
      assertThat(shown.path("title").asText()).contains("GraphiQL");
      assertThat(shown.path("query").asText()).contains("name").contains("hobby");
      String response = shown.path("response").asText();
      assertThat(response.replaceAll("\\s", ""))
          .isEqualTo(
              "{\"data\":{\"name\":\"Rootkit\",\"hobby\":[\"Coding\",\"Badminton\",\"Billiards\",\"Reading\",\"Guitar\"]}}");
    }
  }
}
