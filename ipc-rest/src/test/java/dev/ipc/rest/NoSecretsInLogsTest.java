package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.ipc.core.AccessLog;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Every logger at TRACE, an access log on, and requests carrying a secret in every place a caller
 * can put one: the Authorization header, a cookie, the query string, the body, a bad token. No log
 * event, message or stack trace, holds the secret; the access log has its line per call.
 */
@Timeout(60)
class NoSecretsInLogsTest {
  private static final String SECRET = "s3cr3t-9f8e7d";
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private Logger root;
  private Level was;

  @BeforeEach
  void captureEverything() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    was = root.getLevel();
    root.setLevel(Level.TRACE);
    events.setContext(context);
    events.start();
    root.addAppender(events);
  }

  @AfterEach
  void restore() {
    root.detachAppender(events);
    root.setLevel(was);
  }

  @Test
  void noSecretReachesAnyLog_andTheAccessLogHasEveryCall() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (Server server =
        Transports.builder()
            .services(Reference.services())
            .interceptor(AccessLog.create())
            .authenticate(token -> token.equals(SECRET) ? Principal.of("walt", "writer") : null)
            .transport(RestTransport.builder().host("127.0.0.1").port(0).build())
            .start()) {
      String base = "http://127.0.0.1:" + server.port("rest");
      List<HttpRequest> requests =
          List.of(
              HttpRequest.newBuilder(URI.create(base + "/tasks/1?token=" + SECRET))
                  .header("authorization", "Bearer " + SECRET)
                  .header("cookie", "session=" + SECRET)
                  .build(),
              HttpRequest.newBuilder(URI.create(base + "/tasks/1"))
                  .header("authorization", "Bearer wrong-" + SECRET)
                  .build(),
              HttpRequest.newBuilder(URI.create(base + "/tasks/7"))
                  .header("authorization", "Bearer " + SECRET)
                  .header("content-type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + SECRET + "\"}"))
                  .build(),
              HttpRequest.newBuilder(URI.create(base + "/tasks/8"))
                  .header("content-type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":" + SECRET + "}"))
                  .build());
      List<Integer> statuses = new java.util.ArrayList<>();
      for (HttpRequest r : requests) {
        statuses.add(http.send(r, HttpResponse.BodyHandlers.ofString()).statusCode());
      }
      assertThat(statuses).containsExactly(200, 401, 201, 400);
    }
    assertThat(events.list).isNotEmpty();
    for (ILoggingEvent e : events.list) {
      assertThat(e.getFormattedMessage()).as(e.getLoggerName()).doesNotContain(SECRET);
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).as(e.getLoggerName()).doesNotContain(SECRET);
      }
    }
    List<String> access =
        events.list.stream()
            .filter(e -> e.getLoggerName().equals("dev.ipc.access"))
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertThat(access).hasSize(3);
    assertThat(access.get(0))
        .startsWith("rest task.get OK ")
        .contains("peer=127.0.0.1")
        .contains("principal=walt");
    assertThat(access.get(1)).startsWith("rest task.get UNAUTHENTICATED ").contains("principal=-");
    assertThat(access.get(2)).startsWith("rest task.put OK ");
  }
}
