package dev.ipc.http.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A keep-alive HTTP/1.1 server over plain sockets that answers every request 200 with one fixed
 * body and counts the connections clients open and close, to check what a client does with its
 * connections. Shared with the adapters' tests through ipc-http's test-jar.
 */
public final class CountingHttpServer implements AutoCloseable {
  private final ServerSocket socket = new ServerSocket(0);
  private final byte[] answer;
  private final byte[] stalledAnswer;
  private final Object lock = new Object();
  private int accepted;
  private int open;
  private int stallNext;

  /**
   * Starts serving {@code body} as {@code contentType} on a free port of 127.0.0.1's interfaces.
   */
  public CountingHttpServer(String contentType, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 200 OK\r\nContent-Type: "
            + contentType
            + "\r\nContent-Length: "
            + b.length
            + "\r\n\r\n";
    answer = concat(head.getBytes(StandardCharsets.US_ASCII), b);
    // Headers and half the body, then nothing.
    stalledAnswer =
        concat(head.getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(b, b.length / 2));
    Thread acceptor = new Thread(this::accept, "counting-http-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Returns the bound port. */
  public int port() {
    return socket.getLocalPort();
  }

  /** Returns how many connections were accepted so far. */
  public int accepted() {
    synchronized (lock) {
      return accepted;
    }
  }

  /**
   * Makes the next request get its headers and half its body, and then nothing while it stays open.
   */
  public void stallNextAnswer() {
    synchronized (lock) {
      stallNext++;
    }
  }

  /** Waits up to {@code timeout} until no accepted connection is open; returns whether none is. */
  public boolean awaitAllClosed(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (open > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  private void accept() {
    while (!socket.isClosed()) {
      Socket s;
      try {
        s = socket.accept();
      } catch (IOException e) {
        return; // closed
      }
      synchronized (lock) {
        accepted++;
        open++;
      }
      Thread t = new Thread(() -> serve(s), "counting-http-connection");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (readRequest(in)) {
        boolean stall;
        synchronized (lock) {
          stall = stallNext > 0;
          if (stall) {
            stallNext--;
          }
        }
        out.write(stall ? stalledAnswer : answer);
        out.flush();
        if (stall) {
          // Holds the connection until the client gives up on it and closes it.
          while (in.read() >= 0) {
            // discards
          }
          break;
        }
      }
    } catch (IOException e) {
      // A reset is a close too.
    } finally {
      synchronized (lock) {
        open--;
        lock.notifyAll();
      }
    }
  }

  /** Reads one request (head and Content-Length body); returns false at the end of the stream. */
  private static boolean readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return false;
      }
      head.write(b);
    }
    int length = 0;
    for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n", -1)) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return in.readNBytes(length).length == length;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Stops accepting; open connections stay until their clients close them. */
  @Override
  public void close() throws IOException {
    socket.close();
  }
}
