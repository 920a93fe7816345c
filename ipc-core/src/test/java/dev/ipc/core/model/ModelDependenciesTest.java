package dev.ipc.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The model package depends on nothing of the core package (dev.ipc.core), so the two form no
 * cycle: core builds on the model, never the other way round. Only the model's own package, its
 * annotations (dev.ipc.core.annotation) and the JDK may appear.
 */
class ModelDependenciesTest {
  /** A type directly in dev.ipc.core, in source ({@code dev.ipc.core.Saved}) or class file form. */
  private static final Pattern CORE_TYPE = Pattern.compile("dev[./]ipc[./]core[./][A-Z]\\w*");

  @Test
  void compiledModelClassesReferToNoCoreType() throws IOException, URISyntaxException {
    Path classes =
        Path.of(Reply.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve("dev/ipc/core/model");
    List<String> found = new ArrayList<>();
    List<Path> files = list(classes, ".class");
    for (Path file : files) {
      // Class, descriptor and signature names are ASCII in the constant pool: a byte scan finds
      // every type the class refers to.
      found.addAll(
          coreTypes(file, new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)));
    }
    assertThat(files)
        .extracting(Path::getFileName)
        .extracting(Path::toString)
        .contains("Reply.class");
    assertThat(found).isEmpty();
  }

  @Test
  void modelSourcesNameNoCoreType() throws IOException {
    // Javadoc links count too: the javadoc tool would resolve them against dev.ipc.core.
    Path sources = Path.of("src/main/java/dev/ipc/core/model");
    List<String> found = new ArrayList<>();
    List<Path> files = list(sources, ".java");
    for (Path file : files) {
      found.addAll(coreTypes(file, Files.readString(file)));
    }
    assertThat(files)
        .extracting(Path::getFileName)
        .extracting(Path::toString)
        .contains("Reply.java");
    assertThat(found).isEmpty();
  }

  private static List<Path> list(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static List<String> coreTypes(Path file, String text) {
    List<String> found = new ArrayList<>();
    Matcher m = CORE_TYPE.matcher(text);
    while (m.find()) {
      found.add(file.getFileName() + ": " + m.group());
    }
    return found;
  }
}
