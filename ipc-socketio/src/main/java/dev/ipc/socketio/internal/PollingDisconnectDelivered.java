package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import io.netty.channel.Channel;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Hands a long-polling client whose session the server ended its last packets, its disconnect
 * ({@code 41}) among them, on its next poll. netty-socketio 2.0.14's {@code ClientHead.disconnect}
 * queues the {@code 41} for that poll when none is pending, and at once drops the session from its
 * {@code ClientsBox}: the poll is then refused as naming no session, and socket.io-client, never
 * hearing the {@code 41}, takes it for a lost connection and reconnects. Node's engine.io sends
 * what it buffered on the next poll before it closes the session.
 *
 * <p>An ended session with packets waiting is kept here for a ping timeout, the time a client is
 * given to answer a ping (a live one polls again at once after each answer); its next poll is bound
 * to it, so netty-socketio's own encoder writes the queue as any poll's answer. A session ended by
 * its ping timeout is not: its client has gone quiet, and Node answers its late poll as unknown
 * ({@link EngineIoRequestErrors} checks that).
 */
public final class PollingDisconnectDelivered {
  private final long keepNanos;
  private final Predicate<UUID> pollPending;
  private final Predicate<ClientHead> awaited;

  /**
   * Per session id, the ended session and until when its packets are kept; guarded by itself for
   * waits.
   */
  private final Map<UUID, Ended> ended = new ConcurrentHashMap<>();

  /** When ended() next looks for sessions whose time is up: at most twice per keep time. */
  private volatile long nextPurge;

  private record Ended(ClientHead head, long until, boolean awaited) {}

  /**
   * Keeps ended sessions' packets for {@code keepMillis} (the ping timeout); {@code pollPending}
   * tells whether a session has a poll pending, which takes them at once; {@code awaited} which
   * sessions a server's close waits for: those of clients that connected and poll as live ones do
   * (a bare handshake's client, or one that stopped polling, may never poll again).
   */
  public PollingDisconnectDelivered(
      long keepMillis, Predicate<UUID> pollPending, Predicate<ClientHead> awaited) {
    this.keepNanos = TimeUnit.MILLISECONDS.toNanos(keepMillis);
    this.pollPending = pollPending;
    this.awaited = awaited;
  }

  /**
   * Called as {@code head} ends: keeps it if it polls, packets wait, and no poll is pending (a
   * pending one gets them as it is).
   */
  public void ended(ClientHead head) {
    long now = System.nanoTime();
    if (now - nextPurge >= 0) {
      nextPurge = now + keepNanos / 2;
      purge(now);
    }
    if (head.getCurrentTransport() == Transport.POLLING
        && !head.getPacketsQueue(Transport.POLLING).isEmpty()
        && !pollPending.test(head.getSessionId())) {
      ended.put(head.getSessionId(), new Ended(head, now + keepNanos, awaited.test(head)));
    }
  }

  /**
   * Returns the ended session {@code sid} names if its packets still wait, and forgets it: the
   * caller answers the poll with them ({@link #deliver}) or refuses it.
   */
  public ClientHead take(String sid) {
    UUID id;
    try {
      id = UUID.fromString(sid);
    } catch (IllegalArgumentException e) {
      return null;
    }
    Ended e = ended.remove(id);
    if (e != null) {
      wake();
    }
    return e == null
            || e.until - System.nanoTime() < 0
            || e.head.getPacketsQueue(Transport.POLLING).isEmpty()
        ? null
        : e.head;
  }

  /** Answers the poll on {@code ch} with the packets waiting for ended session {@code head}. */
  public static void deliver(ClientHead head, Channel ch) {
    // netty-socketio's own poll binding: its encoder writes the queue as the poll's answer, and
    // PollingTransport releases the binding when the connection closes.
    head.bindChannel(ch, Transport.POLLING);
  }

  /**
   * Waits until every awaited session's next poll has come or its time is up, or until {@code
   * deadline} ({@link System#nanoTime}); returns whether none is left.
   */
  public boolean awaitDelivered(long deadline) throws InterruptedException {
    synchronized (ended) {
      while (true) {
        long now = System.nanoTime();
        purge(now);
        long next = deadline;
        boolean waiting = false;
        for (Ended e : ended.values()) {
          if (e.awaited) {
            waiting = true;
            if (e.until - next < 0) {
              next = e.until;
            }
          }
        }
        if (!waiting) {
          return true;
        }
        long wait = next - now;
        if (deadline - now <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(ended, Math.max(wait, 1));
      }
    }
  }

  private void purge(long now) {
    for (Iterator<Ended> it = ended.values().iterator(); it.hasNext(); ) {
      if (it.next().until - now < 0) {
        it.remove();
      }
    }
  }

  private void wake() {
    synchronized (ended) {
      ended.notifyAll();
    }
  }
}
