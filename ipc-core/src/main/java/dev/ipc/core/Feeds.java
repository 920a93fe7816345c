package dev.ipc.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's published values, per event name: each value gets the next id of its event, the last
 * {@code history} are kept for resuming subscribers, and every subscriber with demand gets it on
 * the publishing thread, in publish order. Thread-safe; one lock per event name.
 */
final class Feeds {
  private static final Logger LOG = LoggerFactory.getLogger(Feeds.class);

  /** A subscriber that also wants each value's id (SSE {@code id:}); the server's streams are. */
  interface Sequenced {
    void onNext(long id, Object value);
  }

  private record Entry(long id, Object value) {}

  private final int history;
  private final Map<String, Topic> topics = new ConcurrentHashMap<>();
  private final AtomicInteger subscribers = new AtomicInteger();

  Feeds(int history) {
    this.history = history;
  }

  /** Returns how many subscriptions are open on every event. */
  int subscribers() {
    return subscribers.get();
  }

  void publish(String event, Object value) {
    topic(event).publish(value);
  }

  void subscribe(
      String event, Predicate<Object> accept, long resumeAfter, Flow.Subscriber<?> subscriber) {
    topic(event).subscribe(accept, resumeAfter, subscriber);
  }

  private Topic topic(String event) {
    return topics.computeIfAbsent(event, Topic::new);
  }

  private final class Topic {
    private final String event;
    private final ArrayDeque<Entry> kept = new ArrayDeque<>();
    private final List<Sub> subs = new ArrayList<>();
    private long lastId;

    Topic(String event) {
      this.event = event;
    }

    synchronized void publish(Object value) {
      Entry e = new Entry(++lastId, value);
      if (history > 0) {
        if (kept.size() == history) {
          kept.removeFirst();
        }
        kept.addLast(e);
      }
      // A copy: a subscriber may cancel, or be ended, from inside onNext.
      for (Sub s : subs.toArray(new Sub[0])) {
        s.offer(e);
      }
    }

    void subscribe(Predicate<Object> accept, long resumeAfter, Flow.Subscriber<?> subscriber) {
      Sub sub = new Sub(this, accept, subscriber);
      subscriber.onSubscribe(sub);
      synchronized (this) {
        if (sub.done) {
          return;
        }
        if (resumeAfter >= 0) {
          for (Entry e : kept) {
            if (e.id() > resumeAfter) {
              sub.offer(e);
            }
          }
        }
        if (!sub.done) {
          subs.add(sub);
          subscribers.incrementAndGet();
        }
      }
    }

    synchronized void remove(Sub sub) {
      if (subs.remove(sub)) {
        subscribers.decrementAndGet();
      }
    }
  }

  /** One subscription; its state is guarded by its topic's lock. */
  private final class Sub implements Flow.Subscription {
    private final Topic topic;
    private final Predicate<Object> accept;

    @SuppressWarnings("rawtypes")
    private final Flow.Subscriber subscriber;

    private long demand;
    private boolean done;

    Sub(Topic topic, Predicate<Object> accept, Flow.Subscriber<?> subscriber) {
      this.topic = topic;
      this.accept = accept;
      this.subscriber = subscriber;
    }

    /** Called with the topic's lock held. */
    @SuppressWarnings("unchecked")
    void offer(Entry e) {
      if (done) {
        return;
      }
      boolean wanted;
      try {
        wanted = accept.test(e.value());
      } catch (RuntimeException failure) {
        LOG.warn("the filter of a subscriber to {} failed; ending it", topic.event, failure);
        end(ServiceException.from(failure));
        return;
      }
      if (!wanted) {
        return;
      }
      if (demand == 0) {
        end(
            new ServiceException(
                ErrorCode.RESOURCE_EXHAUSTED,
                "subscriber to " + topic.event + " fell behind (its buffer is full)"));
        return;
      }
      demand--;
      if (subscriber instanceof Sequenced s) {
        s.onNext(e.id(), e.value());
      } else {
        subscriber.onNext(e.value());
      }
    }

    private void end(Throwable error) {
      done = true;
      topic.remove(this);
      subscriber.onError(error);
    }

    @Override
    public void request(long n) {
      synchronized (topic) {
        if (done) {
          return;
        }
        if (n <= 0) {
          end(new IllegalArgumentException("request(" + n + ") (expected: > 0; rule 3.9)"));
          return;
        }
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
    }

    @Override
    public void cancel() {
      synchronized (topic) {
        done = true;
        topic.remove(this);
      }
    }
  }
}
