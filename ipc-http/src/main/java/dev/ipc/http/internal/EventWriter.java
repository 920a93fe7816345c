package dev.ipc.http.internal;

import java.time.Duration;

/**
 * Writes one Server-Sent Events response ({@link HttpResponse#events}). Thread-safe: each call
 * writes one whole event or comment, in the order the calls are made (calls from different threads
 * are not interleaved inside an event). Nothing here blocks: writes are queued to the connection; a
 * caller that must not grow that queue checks {@link #isWritable()} and waits for {@link
 * #onWritable}.
 *
 * <p>The response ends with {@link #end()} (the terminating chunk is flushed, then the connection
 * closes), or when the connection closes for any other reason (the client went away, a write
 * failed, the server stopped). While the stream is idle the server writes a comment every {@link
 * #HEARTBEAT}.
 */
public interface EventWriter {
  /**
   * How long a stream may stay silent before the server writes a comment ({@code :}) on it: proxies
   * and load balancers commonly drop a connection idle for 30 to 60 seconds (nginx's default read
   * timeout is 60 s, AWS ALB's idle timeout 60 s, some corporate proxies 30 s), and a write is also
   * how the server learns that a client vanished without closing. 15 s stays well inside those
   * limits at a cost of a few bytes per quiet stream.
   */
  Duration HEARTBEAT = Duration.ofSeconds(15);

  /**
   * Sends one event: {@code event: <event>} when {@code event} is not null, {@code id: <id>} when
   * {@code id} is not null, then one {@code data:} line per line of {@code data} (split at CRLF, CR
   * or LF, so a client joins them back with LF), then the blank line that dispatches it. Without an
   * event name a browser's {@code EventSource} hands it to {@code onmessage}. Returns false,
   * sending nothing, once the stream is over.
   *
   * @throws IllegalArgumentException if {@code event} or {@code id} holds a CR or LF (or {@code id}
   *     a NUL), which would break the framing
   */
  boolean send(String event, String id, String data);

  /** Sends an event with only {@code data}; see {@link #send(String, String, String)}. */
  default boolean send(String data) {
    return send(null, null, data);
  }

  /**
   * Sends a comment, which clients ignore (each line of {@code text} as {@code : <line>}), for
   * example to keep a proxy from timing out. Returns false once the stream is over.
   */
  boolean comment(String text);

  /**
   * Returns whether the connection takes more without growing its write buffer beyond its
   * high-water mark (Netty's channel writability); false once the stream is over.
   */
  boolean isWritable();

  /**
   * Runs {@code action} each time the connection turns writable again after {@link #isWritable()}
   * was false, on the connection's event loop: it must not block.
   */
  void onWritable(Runnable action);

  /**
   * Runs {@code action} once when the connection closes: the client went away, a write failed, the
   * server stopped, or after {@link #end()}. At once (on the calling thread) when it is closed
   * already. Runs on an event loop or the calling thread: it must not block.
   */
  void onClose(Runnable action);

  /** Returns whether events can still be sent: neither ended nor closed. */
  boolean isOpen();

  /**
   * Ends the response: the terminating chunk is written after everything sent before, and the
   * connection closes once it is flushed (or after the server's write timeout if the client does
   * not read it). Idempotent.
   */
  void end();
}
