package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a Node script of src/test/js in the background and reads its RESULT line when it ends. */
final class Node implements AutoCloseable {
  static final Path JS = Path.of("src/test/js");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> command;
  private final File out;
  private final Process process;

  private Node(List<String> command, File out, Process process) {
    this.command = command;
    this.out = out;
    this.process = process;
  }

  /** Starts {@code node <script> args...} in src/test/js. */
  static Node start(String script, Object... args) throws Exception {
    for (String module : List.of("graphql-ws", "graphql-sse", "ws", "graphql")) {
      assertThat(JS.resolve("node_modules/" + module))
          .as("%s is installed: run `npm ci` in ipc-graphql/src/test/js (bin/setup does)", module)
          .isDirectory();
    }
    List<String> command = new ArrayList<>(List.of("node", script));
    for (Object a : args) {
      command.add(String.valueOf(a));
    }
    File out = Files.createTempFile("ipc-graphql-node-", ".out").toFile();
    out.deleteOnExit();
    Process p =
        new ProcessBuilder(command)
            .directory(JS.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out)
            .start();
    return new Node(command, out, p);
  }

  /** Waits for the script to end (60 s at most) and returns its RESULT object. */
  JsonNode result() throws Exception {
    boolean finished = process.waitFor(60, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(out.toPath(), StandardCharsets.UTF_8);
    assertThat(finished).as("%s finished within 60 s; output:%n%s", command, output).isTrue();
    assertThat(process.exitValue()).as("exit code of %s; output:%n%s", command, output).isZero();
    for (String line : output.lines().toList()) {
      if (line.startsWith("RESULT ")) {
        return JSON.readTree(line.substring("RESULT ".length()));
      }
    }
    throw new AssertionError("no RESULT line from " + command + ":\n" + output);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
