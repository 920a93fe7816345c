package dev.ipc.redis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's) on a free loopback port, without persistence, that a test
 * can stop and start again on the same port. In the test-jar, for every module whose tests need
 * Redis.
 */
public final class RedisProcess implements AutoCloseable {
  private static final String SERVER = "/usr/bin/redis-server";

  private final int port;
  private final Path log;
  private Process process;

  public RedisProcess() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    log = java.nio.file.Files.createTempFile("redis-" + port, ".log");
    start();
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public void start() throws IOException {
    assertThat(process).as("already running").isNull();
    process =
        new ProcessBuilder(
                SERVER,
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"+PONG".equals(command("PING"))) {
      assertThat(process.isAlive()).as("redis-server running (log: %s)", log).isTrue();
      assertThat(System.nanoTime()).as("redis-server answers PING within 30 s").isLessThan(end);
      sleep();
    }
  }

  /** Stops the server (SIGTERM, as an operator would) and waits until it has exited. */
  public void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    process = null;
  }

  /** Returns how many clients subscribe to {@code channel}. */
  public long subscribers(String channel) {
    String answer = command("PUBSUB", "NUMSUB", channel);
    // *2 $len channel :n
    if (answer == null) {
      return -1;
    }
    return Long.parseLong(answer.substring(answer.lastIndexOf(':') + 1).trim());
  }

  /** Sends one command in RESP and returns the whole reply as text, or null if nothing answers. */
  private String command(String... args) {
    StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
    for (String a : args) {
      request
          .append('$')
          .append(a.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(a)
          .append("\r\n");
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      // QUIT: Redis answers everything before it, then closes, so reading to the end reads all.
      request.append("*1\r\n$4\r\nQUIT\r\n");
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int quit = all.lastIndexOf("+OK");
      return quit < 0 ? null : all.substring(0, quit).trim();
    } catch (IOException e) {
      return null;
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
