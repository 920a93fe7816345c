package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The article's curl session, run by curl itself against a real server. */
@Timeout(60)
@Interop
class ArticleCurlTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void articleSession_listPutList() throws Exception {
    try (Server server = Transports.serve(Reference.services(), "rest://127.0.0.1:0")) {
      String base = "localhost:" + server.port("rest");

      JsonNode before = JSON.readTree(curl("-s", base + "/tasks"));
      assertThat(before).hasSize(3);
      assertThat(before.get(0).get("id").asLong()).isEqualTo(1);
      assertThat(before.get(0).get("name").asText()).isEqualTo("task1");

      JsonNode put =
          JSON.readTree(
              curl("-s", base + "/tasks/5", "-d", "data={\"name\": \"task5\"}", "-X", "PUT"));
      assertThat(put.get("id").asLong()).isEqualTo(5);
      assertThat(put.get("name").asText()).isEqualTo("task5");

      JsonNode after = JSON.readTree(curl("-s", base + "/tasks"));
      assertThat(after).hasSize(4);
      assertThat(after.get(3).get("id").asLong()).isEqualTo(5);
      assertThat(after.get(3).get("name").asText()).isEqualTo("task5");

      String status = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/tasks/5");
      assertThat(status).isEqualTo("200");
    }
  }

  private static String curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("curl");
    command.add("--max-time");
    command.add("20");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl finished").isTrue();
    assertThat(p.exitValue()).as("curl exit code").isZero();
    return new String(out, StandardCharsets.UTF_8);
  }
}
