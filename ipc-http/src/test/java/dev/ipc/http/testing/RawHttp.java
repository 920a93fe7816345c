package dev.ipc.http.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A test client over a plain socket, for what HTTP clients hide: pipelining, half requests, raw
 * targets, exact status lines and headers. Shared with the adapters' tests through ipc-http's
 * test-jar.
 */
public final class RawHttp implements AutoCloseable {
  /** A parsed response; header names are lower case. */
  public record Response(int status, Map<String, String> headers, String body) {
    /** Returns the value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** Connects to {@code 127.0.0.1:port}; reads time out after 20 s. */
  public RawHttp(int port) throws IOException {
    this(new Socket("127.0.0.1", port));
  }

  /** Talks over {@code socket}, a TLS one say; reads time out after 20 s. */
  public RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(20_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Writes {@code raw} as UTF-8, exactly as given. */
  public RawHttp send(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return this;
  }

  /** Reads one response; {@code head} says the body is absent whatever Content-Length says. */
  public Response read(boolean head) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    // Version, code, then a reason phrase that may hold spaces.
    int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    String l;
    while ((l = line()) != null && !l.isEmpty()) {
      int colon = l.indexOf(':');
      headers.put(
          l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /** Reads one response with its body. */
  public Response read() throws IOException {
    return read(false);
  }

  /** Returns how many bytes have arrived and not been read yet. */
  public int available() throws IOException {
    return in.available();
  }

  /** Returns whether the server closed the connection (end of stream). */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (java.net.SocketException e) {
      return true; // reset: closed as well
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      buf.write(c);
    }
    return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
