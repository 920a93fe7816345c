package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema command, with core's test provider as the only adapter on the classpath. */
class SchemasTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Schemas.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void writesWhatEveryProviderPublishes(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("schemas");
    assertThat(
            run(
                "--out",
                target.toString(),
                "dev.ipc.core.testing.Library",
                "dev.ipc.core.TaskService"))
        .isZero();
    assertThat(Files.readAllLines(target.resolve("test.txt")))
        .contains("library.Library/Search", "task.Tasks/GetTask");
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("wrote " + target.resolve("test.txt"));
  }

  @Test
  void usageAndUnknownClassesAreClearErrors(@TempDir Path dir) {
    assertThat(run("dev.ipc.core.TaskService")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:");
    assertThat(run("--out", dir.toString(), "com.acme.Missing")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no class com.acme.Missing");
    assertThat(run("--out", dir.toString(), "java.lang.String")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("java.lang.String (expected: an interface)");
  }
}
