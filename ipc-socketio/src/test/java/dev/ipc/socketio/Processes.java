package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the Node and Python client scripts of src/test and reads their RESULT line. */
final class Processes {
  static final Path JS = Path.of("src/test/js");
  static final Path PYTHON = Path.of("src/test/python");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Processes() {}

  /** Runs {@code node <script> args...} in src/test/js and returns its RESULT object. */
  static JsonNode node(String script, Object... args) throws Exception {
    assertThat(JS.resolve("node_modules/socket.io-client"))
        .as("socket.io-client is installed: run `npm ci` in ipc-socketio/src/test/js")
        .isDirectory();
    return run(JS, "node", script, args);
  }

  /**
   * Runs {@code /usr/bin/python3 <script> args...} in src/test/python and returns its RESULT
   * object.
   */
  static JsonNode python(String script, Object... args) throws Exception {
    return run(PYTHON, "/usr/bin/python3", script, args);
  }

  private static JsonNode run(Path dir, String program, String script, Object... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(program, script));
    for (Object a : args) {
      command.add(String.valueOf(a));
    }
    File out = Files.createTempFile("ipc-socketio-", ".out").toFile();
    out.deleteOnExit();
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out)
            .start();
    boolean finished = p.waitFor(60, TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly();
    }
    String output = Files.readString(out.toPath(), StandardCharsets.UTF_8);
    assertThat(finished).as("%s finished within 60 s; output:%n%s", command, output).isTrue();
    assertThat(p.exitValue()).as("exit code of %s; output:%n%s", command, output).isZero();
    for (String line : output.lines().toList()) {
      if (line.startsWith("RESULT ")) {
        return JSON.readTree(line.substring("RESULT ".length()));
      }
    }
    throw new AssertionError("no RESULT line from " + command + ":\n" + output);
  }

  /** Returns {@code json} parsed, for comparing with a script's answer. */
  static JsonNode json(String json) throws IOException {
    return JSON.readTree(json);
  }

  /**
   * Asserts that {@code actual} is the JSON {@code expected}, numbers compared by value: JavaScript
   * writes the server's {@code 0.0} back as {@code 0}.
   */
  static void assertJson(JsonNode actual, String expected) throws IOException {
    JsonNode want = json(expected);
    assertThat(actual.equals(Processes::compareNodes, want))
        .as("%n  actual:   %s%n  expected: %s", actual, want)
        .isTrue();
  }

  private static int compareNodes(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  }

  /** Returns the given duration, for readable timeouts. */
  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
