package dev.ipc.core;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Load shedding as interceptors, the same on every transport: a token bucket per caller, and a cap
 * on calls in flight. Add them with {@code Transports.builder().interceptor(...)}, after {@code
 * authenticate(...)} so that a caller is known by its principal.
 */
public final class Limits {
  /**
   * Buckets kept before idle, full ones are dropped: one per caller, so memory follows active
   * callers.
   */
  private static final int MAX_KEYS = 100_000;

  private Limits() {}

  /**
   * Allows each caller {@code perSecond} calls a second on average, in bursts of up to {@code
   * burst}. A caller is its principal's name once authenticated, else its IP address. Past its rate
   * it gets RESOURCE_EXHAUSTED (HTTP 429) with {@code Retry-After} in whole seconds; others are not
   * affected.
   */
  public static Interceptor rate(double perSecond, int burst) {
    if (!(perSecond > 0) || burst < 1) {
      throw new IllegalArgumentException(
          "perSecond: " + perSecond + ", burst: " + burst + " (expected: > 0 and >= 1)");
    }
    ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    return (context, request, next) -> {
      String key = key(context);
      if (buckets.size() >= MAX_KEYS && !buckets.containsKey(key)) {
        long now = System.nanoTime();
        buckets.values().removeIf(b -> b.isFull(now, perSecond, burst));
      }
      Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst));
      double wait = bucket.take(System.nanoTime(), perSecond, burst);
      if (wait > 0) {
        context.responseMetadata().set("retry-after", Long.toString((long) Math.ceil(wait)));
        throw new ServiceException(
            ErrorCode.RESOURCE_EXHAUSTED,
            "rate limit: "
                + perSecond
                + " calls a second (retry after "
                + (long) Math.ceil(wait)
                + " s)");
      }
      return next.proceed(request);
    };
  }

  /**
   * Allows at most {@code max} calls in flight at once across the server; past it a call is refused
   * at once with UNAVAILABLE (HTTP 503) and {@code Retry-After: 1}, instead of waiting in a queue
   * that only grows.
   */
  public static Interceptor inFlight(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
    Semaphore permits = new Semaphore(max);
    return (context, request, next) -> {
      if (!permits.tryAcquire()) {
        context.responseMetadata().set("retry-after", "1");
        throw new ServiceException(
            ErrorCode.UNAVAILABLE, "too many calls in flight (at most " + max + ")");
      }
      try {
        return next.proceed(request);
      } finally {
        permits.release();
      }
    };
  }

  private static String key(CallContext context) {
    if (context.principal() != null) {
      return "principal:" + context.principal().name();
    }
    InetSocketAddress peer = context.peer();
    return peer == null || peer.getAddress() == null
        ? "unknown"
        : "address:" + peer.getAddress().getHostAddress();
  }

  /** One caller's tokens, refilled continuously. */
  private static final class Bucket {
    private double tokens;
    private long last = System.nanoTime();

    Bucket(int burst) {
      this.tokens = burst;
    }

    /** Takes a token; returns 0, or the seconds until one is there. */
    synchronized double take(long now, double perSecond, int burst) {
      tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (1 - tokens) / perSecond;
    }

    synchronized boolean isFull(long now, double perSecond, int burst) {
      return tokens + (now - last) / 1e9 * perSecond >= burst;
    }
  }
}
