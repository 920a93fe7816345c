package dev.ipc.core;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Flow;
import java.util.function.Predicate;

/**
 * The values a server publishes under one event name (see {@link
 * dev.ipc.core.annotation.Publishes}), from the moment a subscriber subscribes: the feed a
 * streaming operation answers. A service declares one in a line, and every transport streams it:
 *
 * <pre>{@code
 * @Event(items = "task:saved")
 * default Flow.Publisher<Task> watchTasks(Long fromId) {
 *   return Feed.published("task:saved", Task.class).filter(t -> fromId == null || t.id() >= fromId);
 * }
 * }</pre>
 *
 * <p>A caller that sends {@code Last-Event-ID} (SSE's reconnect header, or the same gRPC metadata
 * key) first gets the values published after that id which the server still holds (see {@link
 * Transports.Builder#feedHistory}), then the live ones. A subscriber gets a value only while it has
 * demand ({@link Flow.Subscription#request}): one without demand when a value comes has fallen
 * behind and is ended with RESOURCE_EXHAUSTED, so a slow subscriber never holds up the publisher or
 * the others. Immutable; each subscription is independent.
 *
 * @param <T> the published values' type
 */
public final class Feed<T> implements Flow.Publisher<T> {
  private final Feeds feeds;
  private final String event;
  private final Class<T> type;
  private final Predicate<? super T> filter;
  private final long resumeAfter;

  private Feed(
      Feeds feeds, String event, Class<T> type, Predicate<? super T> filter, long resumeAfter) {
    this.feeds = feeds;
    this.event = event;
    this.type = type;
    this.filter = filter;
    this.resumeAfter = resumeAfter;
  }

  /**
   * Returns the values of type {@code type} published under {@code event} on the server running the
   * current call, resuming after the caller's {@code Last-Event-ID} when it sent one.
   *
   * @throws IllegalStateException outside a service call
   */
  public static <T> Feed<T> published(String event, Class<T> type) {
    requireNonNull(event, "event");
    requireNonNull(type, "type");
    CallContext context = CallContext.current();
    return new Feed<>(context.feeds(), event, type, t -> true, lastEventId(context.metadata()));
  }

  /**
   * Returns this feed with only the values {@code filter} accepts (it runs on the publishing
   * thread).
   */
  public Feed<T> filter(Predicate<? super T> filter) {
    requireNonNull(filter, "filter");
    Predicate<? super T> before = this.filter;
    return new Feed<>(feeds, event, type, t -> before.test(t) && filter.test(t), resumeAfter);
  }

  /** Returns the event name. */
  public String event() {
    return event;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> subscriber) {
    requireNonNull(subscriber, "subscriber");
    feeds.subscribe(
        event,
        value -> type.isInstance(value) && filter.test(type.cast(value)),
        resumeAfter,
        subscriber);
  }

  /** The id to resume after, or -1: a value the server did not hand out resumes nothing. */
  private static long lastEventId(Metadata metadata) {
    String id = metadata.get("last-event-id");
    if (id == null
        || id.isEmpty()
        || id.length() > 19
        || !id.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return "Feed{" + event + "}";
  }
}
