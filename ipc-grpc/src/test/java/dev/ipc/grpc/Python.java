package dev.ipc.grpc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's python3 with python3-grpc-tools (protoc) and python3-grpcio. Tests using it are
 * {@code @Interop}: skipped by a plain {@code mvn verify}, and with {@code -Pinterop} they fail,
 * never skip, when those are missing.
 */
final class Python {
  static final String PYTHON = "/usr/bin/python3";

  private Python() {}

  /** What a process printed (stdout and stderr) and its exit status. */
  record Result(int exit, String output) {}

  /** Runs {@code command} with {@code pythonPath} (may be null) as PYTHONPATH, for at most 60 s. */
  static Result run(List<String> command, Path pythonPath)
      throws IOException, InterruptedException {
    return start(command, pythonPath).await();
  }

  /**
   * Starts {@code command} with {@code pythonPath} (may be null) as PYTHONPATH, for a test that
   * acts while it runs (a streaming client); {@link Running#await} collects it.
   */
  static Running start(List<String> command, Path pythonPath) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PYTHONIOENCODING", "utf-8");
    if (pythonPath != null) {
      pb.environment().put("PYTHONPATH", pythonPath.toString());
    }
    Path log = Files.createTempFile("python", ".log");
    try {
      return new Running(pb.redirectOutput(log.toFile()).start(), log, command);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(log);
      throw e;
    }
  }

  /** A started process; its output goes to a temporary file until {@link #await}. */
  record Running(Process process, Path log, List<String> command) {
    /** Waits at most 60 s for the process (killing it past that) and returns what it printed. */
    Result await() throws IOException, InterruptedException {
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return new Result(
              -1, "timed out: " + command + "\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(log);
      }
    }
  }

  /**
   * Compiles {@code file} (relative to {@code include}) with the build's protoc (the one that
   * compiles the shipped files; system property {@code ipc.protoc}) into a descriptor set with its
   * imports ({@code google/protobuf/timestamp.proto}... taken from protobuf-java's jar).
   *
   * @throws AssertionError with protoc's output if it fails
   */
  static FileDescriptorSet protoc(Path include, String file, Path set)
      throws IOException, InterruptedException {
    String protoc = System.getProperty("ipc.protoc");
    if (protoc == null || !Files.isExecutable(Path.of(protoc))) {
      throw new AssertionError("no protoc at " + protoc + " (expected: set by the ipc-grpc pom)");
    }
    // Beside the set, so the caller's temporary folder cleans both.
    Path wellKnown = set.resolveSibling("well-known");
    for (String proto :
        List.of("google/protobuf/timestamp.proto", "google/protobuf/duration.proto")) {
      Path target = wellKnown.resolve(proto);
      Files.createDirectories(target.getParent());
      try (InputStream in = Python.class.getClassLoader().getResourceAsStream(proto)) {
        if (in == null) {
          throw new AssertionError(proto + " not on the classpath (expected: in protobuf-java)");
        }
        Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Result r =
        run(
            List.of(
                protoc,
                "-I",
                include.toString(),
                "-I",
                wellKnown.toString(),
                "--include_imports",
                "--descriptor_set_out=" + set,
                file),
            null);
    if (r.exit() != 0) {
      throw new AssertionError("protoc " + file + " failed:\n" + r.output());
    }
    return FileDescriptorSet.parseFrom(Files.readAllBytes(set));
  }

  /** Returns {@code file}'s descriptor in {@code set}. */
  static FileDescriptorProto file(FileDescriptorSet set, String file) {
    return set.getFileList().stream()
        .filter(f -> f.getName().equals(file))
        .findFirst()
        .orElseThrow(() -> new AssertionError(file + " not in the descriptor set"));
  }

  /**
   * Generates the Python modules (messages and gRPC stubs) of the shipped {@code .proto} {@code
   * files} into {@code out}: each compiled by the build's {@link #protoc} (task.proto declares
   * proto3 {@code optional}, which grpc_tools' own protoc cannot parse), then generated by {@link
   * #grpcTools}.
   *
   * @throws AssertionError with the tools' output if one fails
   */
  static void shippedStubs(Path out, String... files) throws IOException, InterruptedException {
    Path sets = Files.createTempDirectory(out, "sets");
    for (String file : files) {
      Path set = sets.resolve(file + ".pb");
      protoc(Path.of("src/main/proto"), file, set);
      Result generated = grpcTools(set, out, file);
      if (generated.exit() != 0) {
        throw new AssertionError("grpc_tools " + file + " failed:\n" + generated.output());
      }
    }
  }

  /**
   * Generates the Python modules of {@code file} (messages and gRPC stubs) with python3-grpc-tools
   * from a descriptor set that {@link #protoc} compiled: Debian's grpc_tools bundles a protoc too
   * old to parse proto3 {@code optional}, but generates from a compiled descriptor all the same
   * (its Python code then sees each optional field in its synthetic oneof {@code _name}, which is
   * what that is).
   */
  static Result grpcTools(Path set, Path out, String file)
      throws IOException, InterruptedException {
    String script =
        "import sys\nfrom grpc_tools import protoc\n"
            + "sys.exit(protoc.main(['protoc', '--descriptor_set_in=' + sys.argv[1], '--python_out=' + sys.argv[2],"
            + " '--grpc_python_out=' + sys.argv[2], sys.argv[3]]))\n";
    return run(List.of(PYTHON, "-c", script, set.toString(), out.toString(), file), null);
  }
}
