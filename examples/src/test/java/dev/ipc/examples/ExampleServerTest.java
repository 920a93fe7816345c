package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.PersonService;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ExampleServerTest {

  @Test
  void start_servesEveryServiceOnEveryTransport() {
    ExampleServer.Options options = LocalOptions.parse();
    try (Server server = ExampleServer.start(options)) {
      assertThat(server.addresses()).containsOnlyKeys("grpc", "rest", "graphql", "socketio");
      for (String protocol : server.addresses().keySet()) {
        try (Client client =
            Transports.connect(protocol + "://127.0.0.1:" + server.port(protocol))) {
          assertThat(client.service(DatingService.DESCRIPTOR).eating(new Eat("steak")).feeling())
              .as(protocol)
              .isTrue();
          assertThat(client.service(PersonService.DESCRIPTOR).person().name())
              .as(protocol)
              .isEqualTo("Rootkit");
          TaskService tasks = client.service(TaskService.DESCRIPTOR);
          tasks.put(new Task(40 + protocol.length(), protocol));
          assertThat(tasks.get(40 + protocol.length()))
              .isEqualTo(new Task(40 + protocol.length(), protocol));
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ExampleServer.print(server, "127.0.0.1", new PrintStream(out, true, StandardCharsets.UTF_8));
      assertThat(out.toString(StandardCharsets.UTF_8).lines())
          .containsExactly(
              line("grpc", server.port("grpc")),
              line("rest", server.port("rest")),
              line("graphql", server.port("graphql")),
              line("socketio", server.port("socketio")));
    }
  }

  @Test
  void options_defaultToTheArticlesPortsAndTurnTransportsOff() {
    ExampleServer.Options defaults = ExampleServer.Options.parse();
    assertThat(defaults.host()).isEqualTo("0.0.0.0");
    assertThat(defaults.ports())
        .containsExactly(
            Map.entry("grpc", 6666),
            Map.entry("rest", 5000),
            Map.entry("graphql", 4444),
            Map.entry("socketio", 8080));
    ExampleServer.Options some =
        ExampleServer.Options.parse(
            "--rest-port=off", "--grpc-port", "0", "--socketio-port", "off");
    assertThat(some.ports()).containsOnlyKeys("grpc", "graphql").containsEntry("grpc", 0);
    assertThat(ExampleServer.Options.parse("--help")).isNull();
    assertThatThrownBy(() -> ExampleServer.Options.parse("--rest-port", "http"))
        .hasMessageContaining("--rest-port: http (expected: 0-65535 or off)");
    assertThatThrownBy(() -> ExampleServer.Options.parse("--port", "1"))
        .hasMessageContaining("unknown option: --port");
    assertThatThrownBy(() -> ExampleServer.Options.parse("--grpc-port"))
        .hasMessageContaining("needs a value");
    assertThatThrownBy(
            () ->
                ExampleServer.Options.parse(
                    "--grpc-port",
                    "off",
                    "--rest-port",
                    "off",
                    "--graphql-port",
                    "off",
                    "--socketio-port",
                    "off"))
        .hasMessageContaining("every transport is off");
  }

  @Test
  void main_takenPortPrintsOneLineNamingItAndExitsNonZero() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Process p =
          java(
              "--host",
              "127.0.0.1",
              "--grpc-port",
              "0",
              "--rest-port",
              String.valueOf(taken.getLocalPort()),
              "--graphql-port",
              "off",
              "--socketio-port",
              "off");
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).isEqualTo(1);
      assertThat(err.lines().filter(l -> l.startsWith("error:")))
          .singleElement()
          .asString()
          .contains("rest")
          .contains("127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void main_helpExplainsFlags() throws Exception {
    Process p = java("--help");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isZero();
    assertThat(out)
        .contains(
            "--grpc-port",
            "--rest-port",
            "--graphql-port",
            "--socketio-port",
            "--host",
            "off",
            "SIGTERM");
  }

  @Test
  void main_printsRealAddressesAndClosesGracefullyOnSigterm() throws Exception {
    Process p =
        java(
            "--host",
            "127.0.0.1",
            "--grpc-port",
            "0",
            "--rest-port",
            "0",
            "--graphql-port",
            "off",
            "--socketio-port",
            "off");
    try {
      var reader = p.inputReader(StandardCharsets.UTF_8);
      String grpc = reader.readLine();
      String rest = reader.readLine();
      assertThat(grpc).matches("grpc +listening on 127\\.0\\.0\\.1:[1-9][0-9]*");
      assertThat(rest).matches("rest +listening on 127\\.0\\.0\\.1:[1-9][0-9]*");
      int port = Integer.parseInt(rest.substring(rest.lastIndexOf(':') + 1));
      try (Client client = Transports.connect("rest://127.0.0.1:" + port)) {
        assertThat(client.service(TaskService.DESCRIPTOR).list()).hasSize(3);
      }
    } finally {
      p.toHandle().destroy(); // SIGTERM, keeping our ends of the pipes open
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // 143 = terminated by SIGTERM after the shutdown hook closed the server.
    assertThat(p.exitValue()).isIn(0, 143);
    assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .doesNotContain("Exception");
  }

  private static String line(String name, int port) {
    return String.format("%-9s listening on 127.0.0.1:%d", name, port);
  }

  private static Process java(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                java, "-cp", System.getProperty("java.class.path"), ExampleServer.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }
}
