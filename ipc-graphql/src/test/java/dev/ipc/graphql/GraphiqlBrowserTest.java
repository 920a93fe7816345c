package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Chromium;
import dev.ipc.core.testing.Interop;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GraphiQL in a real headless Chromium: the page loads from the jar, runs the article's query and
 * shows the data, under its Content-Security-Policy (no inline script), which the browser enforces.
 */
@Timeout(120)
@Interop
class GraphiqlBrowserTest {
  // Waits (in the page, not in Java) for the editor, runs the query with GraphiQL's own button, and
  // resolves with the response pane's text once it shows data.
  static final String RUN_QUERY =
      """
      ((expectQuery, expectResponse) => new Promise((resolve, reject) => {
        const deadline = Date.now() + 20000;
        let clicked = 0;
        const text = (selector) => {
          const cm = document.querySelector(selector + ' .CodeMirror');
          return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
        };
        (function poll() {
          const query = text('.graphiql-query-editor');
          const button = document.querySelector('.graphiql-execute-button');
          const response = text('.result-window');
          // Click once the editor shows the query; again if nothing came after a while, since a click
          // landing while GraphiQL still initialises (fetching the schema) can be dropped.
          if (button && query.includes(expectQuery) && !response && Date.now() - clicked > 2000) {
            button.click();
            clicked = Date.now();
          }
          if (response.includes(expectResponse)) {
            resolve({query: query, response: response, title: document.title});
            return;
          }
          if (Date.now() > deadline) {
            reject(new Error('no data shown; last click at ' + clicked + ' query=' + query + ' response=' + response));
            return;
          }
          setTimeout(poll, 100);
        })();
      }))
      """;

  @Test
  void graphiql_runsTheArticleQueryAndShowsTheData() throws Exception {
    try (Server server =
            Transports.builder()
                .services(Reference.services())
                .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
                .start();
        Chromium chromium = new Chromium()) {
      String origin = "http://127.0.0.1:" + server.port("graphql") + "/";
      String base = origin + "graphql";
      chromium.open(base);
      JsonNode shown = chromium.evaluate(RUN_QUERY + "('hobby', 'Rootkit')");
      // GraphiQL ran under the page's CSP without needing anything it forbids...
      assertThat(chromium.cspViolations()).isEmpty();
      assertThat(chromium.console())
          .noneSatisfy(line -> assertThat(line).containsIgnoringCase("Content Security Policy"));
      // ...and the CSP is in force: an inline script injected into the page does not run.
      chromium.evaluate(
          "(() => { const s = document.createElement('script'); s.textContent = 'window.__inlineRan = true';"
              + " document.body.appendChild(s); })()");
      assertThat(chromium.evaluate("window.__inlineRan === true").asBoolean()).isFalse();
      assertThat(chromium.cspViolations()).singleElement().asString().startsWith("script-src");
      Path shot = Path.of("target", "graphiql.png");
      Files.write(shot, chromium.screenshot());
      assertThat(shown.path("title").asText()).contains("GraphiQL");
      assertThat(shown.path("query").asText()).contains("name").contains("hobby");
      String response = shown.path("response").asText();
      assertThat(response.replaceAll("\\s", ""))
          .isEqualTo(
              "{\"data\":{\"name\":\"Rootkit\",\"hobby\":[\"Coding\",\"Badminton\",\"Billiards\",\"Reading\",\"Guitar\"]}}");

      // Nothing came from anywhere but this server (or inline data: URLs, the CSS's fonts).
      assertThat(chromium.requested())
          .filteredOn(url -> !url.startsWith("data:"))
          .isNotEmpty()
          .allSatisfy(url -> assertThat(url).startsWith(origin))
          .anySatisfy(url -> assertThat(url).endsWith("/graphql/assets/graphiql.min.js"))
          .anySatisfy(
              url -> assertThat(url).endsWith("/graphql/assets/react-dom.production.min.js"))
          .anySatisfy(url -> assertThat(url).endsWith("/graphql/assets/graphiql-page.js"));

      // A URL with a query, as koa-graphql serves it: GraphiQL opens with that query and runs it.
      chromium.open(base + "?query=%7B%20tasks%20%7B%20id%20name%20%7D%20%7D");
      JsonNode tasks = chromium.evaluate(RUN_QUERY + "('tasks', 'task3')");
      Files.write(Path.of("target", "graphiql-tasks.png"), chromium.screenshot());
      assertThat(chromium.cspViolations()).isEmpty();
      assertThat(tasks.path("response").asText().replaceAll("\\s", ""))
          .isEqualTo(
              "{\"data\":{\"tasks\":[{\"id\":1,\"name\":\"task1\"},{\"id\":2,\"name\":\"task2\"},"
                  + "{\"id\":3,\"name\":\"task3\"}]}}");
    }
  }

  // Waits for the editor to show the subscription, clicks GraphiQL's run button once, and resolves.
  static final String START_SUBSCRIPTION =
      """
      (() => new Promise((resolve, reject) => {
        const deadline = Date.now() + 20000;
        (function poll() {
          const cm = document.querySelector('.graphiql-query-editor .CodeMirror');
          const query = cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
          const button = document.querySelector('.graphiql-execute-button');
          if (button && query.includes('taskSaved')) {
            button.click();
            resolve(true);
          } else if (Date.now() > deadline) {
            reject(new Error('no editor showing the subscription: ' + query));
          } else {
            setTimeout(poll, 100);
          }
        })();
      }))()
      """;

  @Test
  void graphiql_runsASubscriptionOverItsWebSocket() throws Exception {
    try (Server server =
            Transports.builder()
                .services(Reference.services())
                .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
                .start();
        Chromium chromium = new Chromium();
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      String origin = "http://127.0.0.1:" + server.port("graphql") + "/";
      chromium.open(
          origin + "graphql?query=subscription%20%7B%20taskSaved%20%7B%20id%20name%20%7D%20%7D");
      // A click landing while GraphiQL still initialises can be dropped: click until the server
      // holds
      // the subscription (a second click on a running one would stop it, so only while none is
      // open).
      long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (server.openStreams() == 0 && System.nanoTime() < end) {
        chromium.evaluate(START_SUBSCRIPTION);
        long wait = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
        while (server.openStreams() == 0 && System.nanoTime() < wait) {
          Thread.sleep(20);
        }
      }
      assertThat(server.openStreams()).as("GraphiQL's subscription on the server").isEqualTo(1);
      client
          .service(dev.ipc.core.TaskService.DESCRIPTOR)
          .put(new dev.ipc.core.Task(42, "seen in GraphiQL"));
      JsonNode shown =
          chromium.evaluate(
              """
              new Promise((resolve, reject) => {
                const deadline = Date.now() + 20000;
                (function poll() {
                  const cm = document.querySelector('.result-window .CodeMirror');
                  const response = cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
                  if (response.includes('seen in GraphiQL')) {
                    resolve(response);
                  } else if (Date.now() > deadline) {
                    reject(new Error('no event shown: ' + response));
                  } else {
                    setTimeout(poll, 100);
                  }
                })();
              })
              """);
      Files.write(Path.of("target", "graphiql-subscription.png"), chromium.screenshot());
      assertThat(shown.asText().replaceAll("\\s", ""))
          .isEqualTo("{\"data\":{\"taskSaved\":{\"id\":42,\"name\":\"seeninGraphiQL\"}}}");
      // Under the page's CSP, from this server only (the WebSocket is ws:// on the same host and
      // port).
      assertThat(chromium.cspViolations()).isEmpty();
    }
  }
}
