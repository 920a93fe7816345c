package dev.ipc.graphql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One GraphQL operation answered as Server-Sent Events, in the "distinct connections" mode of the
 * GraphQL over SSE protocol (what the {@code graphql-sse} npm client speaks): each result an {@code
 * event: next} whose data is the execution result, then {@code event: complete}, then the end of
 * the response. A stream that fails (a subscriber that fell behind: RESOURCE_EXHAUSTED) sends its
 * errors as a last {@code next} ({@code {"errors": [...]}}, with {@code extensions.code}) before
 * {@code complete}: the protocol has no other event, and its clients treat any other as fatal.
 *
 * <p>Flow control as over a WebSocket: one event asked for at a time while the connection is
 * writable. Thread-safe.
 */
final class GraphqlSseStream implements Flow.Subscriber<ExecutionResult> {
  /** What the stream needs of its response; every method returns without blocking. */
  interface Channel {
    /** Sends one event named {@code event} with {@code data} (one line of JSON, or empty). */
    void send(String event, String data);

    /** Returns whether the connection can take more without growing its outbound queue. */
    boolean isWritable();

    /** Ends the response. */
    void end();
  }

  private static final Logger LOG = LoggerFactory.getLogger(GraphqlSseStream.class);

  private final ObjectMapper json;
  private final Channel channel;
  // Guarded by this.
  private Flow.Subscription subscription;
  private boolean cancelled;
  private boolean paused;
  private boolean ended;

  GraphqlSseStream(ObjectMapper json, Channel channel) {
    this.json = json;
    this.channel = channel;
  }

  /**
   * Answers a single result (a query, a mutation, a refused subscription): one {@code next}, then
   * the end.
   */
  static void single(ObjectMapper json, Channel channel, Map<String, Object> body) {
    channel.send("next", write(json, body));
    channel.send("complete", "");
    channel.end();
  }

  private static String write(ObjectMapper json, Object body) {
    try {
      // Jackson escapes line breaks inside strings: one data line.
      return json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      LOG.warn("GraphQL over SSE: a result could not be written as JSON", e);
      return "{\"errors\":[{\"message\":\"internal error\",\"extensions\":{\"code\":\"INTERNAL\"}}]}";
    }
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancel;
    synchronized (this) {
      subscription = s;
      cancel = cancelled;
    }
    if (cancel) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(ExecutionResult event) {
    channel.send("next", write(json, GraphqlEngine.event(event)));
    synchronized (this) {
      if (cancelled) {
        return;
      }
      paused = true;
    }
    if (channel.isWritable()) {
      resume();
    }
  }

  /** The connection can take more: ask for the next event if this one waits for it. */
  void resume() {
    Flow.Subscription s;
    synchronized (this) {
      if (!paused || cancelled) {
        return;
      }
      paused = false;
      s = subscription;
    }
    s.request(1);
  }

  @Override
  public void onError(Throwable t) {
    if (end()) {
      List<Map<String, Object>> errors = GraphqlEngine.streamErrors(t);
      channel.send("next", write(json, Map.of("errors", errors)));
      channel.send("complete", "");
      channel.end();
    }
  }

  @Override
  public void onComplete() {
    if (end()) {
      channel.send("complete", "");
      channel.end();
    }
  }

  /** The client went away: the stream is cancelled on the server. */
  void cancel() {
    Flow.Subscription s;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      s = subscription;
    }
    if (s != null) {
      s.cancel();
    }
  }

  private boolean end() {
    synchronized (this) {
      if (ended || cancelled) {
        return false;
      }
      ended = true;
      return true;
    }
  }
}
