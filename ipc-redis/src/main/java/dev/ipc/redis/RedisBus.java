package dev.ipc.redis;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.EventBus;
import dev.ipc.core.spi.Published;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries published values between the nodes of one service over Redis pub/sub: {@code
 * Transports.builder().bus(RedisBus.of("redis://host:6379"))} on every node.
 *
 * <p>Each service has one channel, {@code ipc#<service>}; a message is a JSON object naming the
 * publishing node, the operation and the value. The publishing node delivers to its own subscribers at
 * once and ignores its own message when Redis echoes it; every other node delivers it once.
 *
 * <p>Across nodes delivery is at most once, like Node's {@code @socket.io/redis-adapter}: what is
 * published while Redis is unreachable is not queued, only counted ({@link #dropped()}) and logged
 * once per outage. Calls and local delivery never wait on Redis. Both connections reconnect by
 * themselves; the subscriber subscribes again when Redis is back.
 *
 * <p>A transport's own cluster protocol ({@link EventBus.Messages}: Socket.IO speaks Node's {@code
 * @socket.io/redis-adapter} there) goes over Redis channels of its naming, as raw bytes, on two more
 * connections opened when a transport first asks for them; at most once too, and counted in {@link
 * #dropped()} when Redis is unreachable.
 *
 * <p>One {@code RedisBus} may serve several servers in a process; each {@link #join} opens its own
 * connections (publish, subscribe) and closes them when its server closes. Thread-safe.
 */
public final class RedisBus implements EventBus {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBus.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The channel of a service is this followed by the service's name. */
  public static final String CHANNEL_PREFIX = "ipc#";

  private final RedisURI uri;
  private final String where;
  private final LongAdder dropped = new LongAdder();
  private final Set<RedisNode> nodes = ConcurrentHashMap.newKeySet();

  private RedisBus(RedisURI uri) {
    this.uri = uri;
    // Host and port only: the URI may carry a password.
    this.where = uri.getHost() + ":" + uri.getPort();
  }

  /**
   * Returns a bus on the Redis at {@code uri} ({@code redis://host:6379}, {@code rediss://} for
   * TLS, a password and database as Lettuce's {@link RedisURI} reads them). Connects when a server
   * joins.
   *
   * @throws IllegalArgumentException if {@code uri} is not a Redis URI
   */
  public static RedisBus of(String uri) {
    requireNonNull(uri, "uri");
    RedisURI parsed;
    try {
      parsed = RedisURI.create(uri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("uri: not a Redis URI (expected: redis://host:port)", e);
    }
    return new RedisBus(parsed);
  }

  /**
   * Returns how many published values did not reach Redis (it was unreachable, or refused the
   * message), over every server this bus has served. Those values reached the publishing node's own
   * subscribers only.
   */
  public long dropped() {
    return dropped.sum();
  }

  /** Returns whether every joined server's publishing connection is connected to Redis now. */
  public boolean connected() {
    for (RedisNode n : nodes) {
      if (!n.publisher.isOpen()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Connects to Redis for one server and subscribes to its services' channels.
   *
   * @throws IllegalStateException if Redis cannot be reached now (a misconfigured address should
   *     stop the server from starting; after that, outages are survived)
   */
  @Override
  public Node join(List<ServiceDescriptor<?>> services, Consumer<Published> deliver) {
    requireNonNull(services, "services");
    requireNonNull(deliver, "deliver");
    RedisNode node = new RedisNode(services, deliver);
    nodes.add(node);
    return node;
  }

  @Override
  public String toString() {
    return "RedisBus[" + where + "]";
  }

  /** Escapes Redis glob characters, so a prefix matches only itself. */
  static String escapeGlob(String prefix) {
    StringBuilder b = new StringBuilder(prefix.length() + 4);
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  /** One server on the bus: its id, its two connections, and the services it decodes for. */
  private final class RedisNode implements Node {
    private final String id = UUID.randomUUID().toString();
    private final Consumer<Published> deliver;
    private final Map<String, ServiceDescriptor<?>> byChannel = new LinkedHashMap<>();
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> publisher;
    private final StatefulRedisPubSubConnection<String, String> subscriber;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder droppedThisOutage = new LongAdder();
    private final LongAdder droppedHere = new LongAdder();
    private RawChannels raw;

    RedisNode(List<ServiceDescriptor<?>> services, Consumer<Published> deliver) {
      this.deliver = deliver;
      for (ServiceDescriptor<?> s : services) {
        byChannel.put(CHANNEL_PREFIX + s.name(), s);
      }
      // Retry soon after an outage, and never wait more than a few seconds between attempts, so
      // cross-node delivery resumes within seconds of Redis coming back.
      this.resources =
          ClientResources.builder()
              .ioThreadPoolSize(2)
              .computationThreadPoolSize(2)
              .reconnectDelay(
                  () ->
                      Delay.exponential(
                          Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
              .build();
      this.client = RedisClient.create(resources, uri);
      // REJECT_COMMANDS: while disconnected a PUBLISH fails at once instead of waiting in Lettuce's
      // unbounded queue, so an outage costs no memory and old values are not replayed late.
      client.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .build());
      StatefulRedisConnection<String, String> pub = null;
      try {
        pub = client.connect(StringCodec.UTF8);
        StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub(StringCodec.UTF8);
        sub.addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String channel, String message) {
                receive(channel, message);
              }
            });
        if (!byChannel.isEmpty()) {
          sub.sync().subscribe(byChannel.keySet().toArray(new String[0]));
        }
        this.publisher = pub;
        this.subscriber = sub;
      } catch (RedisException e) {
        if (pub != null) {
          pub.close();
        }
        shutdownClient();
        throw new IllegalStateException(
            "cannot join the Redis bus at " + where + ": " + e.getMessage(), e);
      }
      client.addListener(
          new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
              if (connection == publisher && !closed.get()) {
                wentDown();
              }
            }

            @Override
            public void onRedisConnected(
                RedisChannelHandler<?, ?> connection, SocketAddress address) {
              if (connection == publisher) {
                cameBack();
              }
            }
          });
    }

    @Override
    public void publish(Published published) {
      // Here first, on the caller's thread: local subscribers never depend on Redis.
      deliver.accept(published);
      if (closed.get()) {
        return;
      }
      Operation<?, ?, ?> op = published.operation();
      String message;
      try {
        ObjectNode json = JSON.createObjectNode();
        json.put("node", id);
        json.put("op", op.name());
        json.set("value", RecordJson.encodeValue(op.output(), published.value()));
        message = JSON.writeValueAsString(json);
      } catch (JsonProcessingException | RuntimeException e) {
        dropped.increment();
        LOG.warn("cannot encode a value of {} for the Redis bus; other nodes miss it", op, e);
        return;
      }
      publishOrDrop(() -> publisher.async().publish(CHANNEL_PREFIX + op.service(), message));
    }

    /**
     * Sends one PUBLISH without waiting; a rejected one (Redis unreachable: REJECT_COMMANDS) or one
     * that fails later is counted as dropped.
     */
    private void publishOrDrop(
        java.util.function.Supplier<io.lettuce.core.RedisFuture<Long>> publish) {
      try {
        publish
            .get()
            .whenComplete(
                (receivers, error) -> {
                  if (error != null) {
                    drop();
                  }
                });
      } catch (RuntimeException e) {
        drop();
      }
    }

    @Override
    public synchronized Messages messages() {
      if (closed.get()) {
        return Messages.NONE;
      }
      if (raw == null) {
        raw = new RawChannels();
      }
      return raw;
    }

    @Override
    public long dropped() {
      return droppedHere.sum();
    }

    private void drop() {
      droppedHere.increment();
      dropped.increment();
      droppedThisOutage.increment();
      wentDown();
    }

    private void wentDown() {
      if (down.compareAndSet(false, true)) {
        LOG.warn(
            "Redis at {} is unreachable: values published here reach this node's subscribers only until"
                + " it is back (counted in RedisBus.dropped())",
            where);
      }
    }

    private void cameBack() {
      if (down.compareAndSet(true, false)) {
        LOG.info(
            "Redis at {} is back: {} values missed the other nodes",
            where,
            droppedThisOutage.sumThenReset());
      }
    }

    /** Runs on Lettuce's event loop, one message at a time per connection, so order is kept. */
    private void receive(String channel, String message) {
      ServiceDescriptor<?> service = byChannel.get(channel);
      if (service == null || closed.get()) {
        return;
      }
      Published published;
      try {
        JsonNode json = JSON.readTree(message);
        if (id.equals(json.path("node").asText())) {
          return; // this node delivered it when it published it
        }
        String name = json.path("op").asText();
        Operation<?, ?, ?> op = operation(service, name);
        if (op == null || op.publishes() == null) {
          // Another version of the service: nothing here subscribes to it. Never the body in logs.
          LOG.warn(
              "ignoring a message on {} for operation '{}', which {} does not publish",
              channel,
              name,
              service.name());
          return;
        }
        published = new Published(op, RecordJson.decodeValue(op.output(), json.path("value")));
      } catch (JsonProcessingException | RuntimeException e) {
        LOG.warn("ignoring an unreadable message on {}: {}", channel, e.getClass().getSimpleName());
        return;
      }
      deliver.accept(published);
    }

    private Operation<?, ?, ?> operation(ServiceDescriptor<?> service, String name) {
      for (Operation<?, ?, ?> op : service.operations()) {
        if (op.name().equals(name)) {
          return op;
        }
      }
      return null;
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      nodes.remove(this);
      synchronized (this) {
        if (raw != null) {
          raw.close();
        }
      }
      subscriber.close();
      publisher.close();
      shutdownClient();
    }

    /**
     * Raw channels on their own two byte-array connections, so a transport's protocol (msgpack from
     * Node's adapter) is passed on byte for byte. Lettuce subscribes them again after a reconnect.
     */
    private final class RawChannels implements Messages {
      private final StatefulRedisConnection<byte[], byte[]> rawPublisher;
      private final StatefulRedisPubSubConnection<byte[], byte[]> rawSubscriber;
      private final Map<String, List<BiConsumer<String, byte[]>>> exact = new ConcurrentHashMap<>();
      private final Map<String, List<BiConsumer<String, byte[]>>> prefixes =
          new ConcurrentHashMap<>();

      RawChannels() {
        StatefulRedisConnection<byte[], byte[]> pub = null;
        try {
          pub = client.connect(ByteArrayCodec.INSTANCE);
          StatefulRedisPubSubConnection<byte[], byte[]> sub =
              client.connectPubSub(ByteArrayCodec.INSTANCE);
          sub.addListener(
              new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                  String name = new String(channel, StandardCharsets.UTF_8);
                  dispatch(exact.get(name), name, message);
                }

                @Override
                public void message(byte[] pattern, byte[] channel, byte[] message) {
                  String p = new String(pattern, StandardCharsets.UTF_8);
                  dispatch(prefixes.get(p), new String(channel, StandardCharsets.UTF_8), message);
                }
              });
          this.rawPublisher = pub;
          this.rawSubscriber = sub;
        } catch (RedisException e) {
          if (pub != null) {
            pub.close();
          }
          throw new IllegalStateException(
              "cannot open cluster channels on Redis at " + where + ": " + e.getMessage(), e);
        }
      }

      private void dispatch(
          List<BiConsumer<String, byte[]>> listeners, String channel, byte[] message) {
        if (listeners == null || closed.get()) {
          return;
        }
        for (BiConsumer<String, byte[]> l : listeners) {
          try {
            l.accept(channel, message);
          } catch (RuntimeException e) {
            // A listener's bug must not stop the others, nor the connection's event loop.
            LOG.warn("a listener on Redis channel {} failed", channel, e);
          }
        }
      }

      @Override
      public void send(String channel, byte[] message) {
        requireNonNull(channel, "channel");
        requireNonNull(message, "message");
        if (closed.get()) {
          return;
        }
        publishOrDrop(
            () -> rawPublisher.async().publish(channel.getBytes(StandardCharsets.UTF_8), message));
      }

      @Override
      public AutoCloseable listen(String channel, BiConsumer<String, byte[]> listener) {
        return add(exact, channel, channel, listener, false);
      }

      @Override
      public AutoCloseable listenPrefix(String prefix, BiConsumer<String, byte[]> listener) {
        String pattern = escapeGlob(prefix) + "*";
        return add(prefixes, pattern, prefix, listener, true);
      }

      private AutoCloseable add(
          Map<String, List<BiConsumer<String, byte[]>>> into,
          String key,
          String shown,
          BiConsumer<String, byte[]> listener,
          boolean pattern) {
        requireNonNull(listener, "listener");
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        synchronized (into) {
          List<BiConsumer<String, byte[]>> list =
              into.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
          boolean first = list.isEmpty();
          list.add(listener);
          if (first) {
            try {
              if (pattern) {
                rawSubscriber.sync().psubscribe(bytes);
              } else {
                rawSubscriber.sync().subscribe(bytes);
              }
            } catch (RedisException e) {
              list.remove(listener);
              throw new IllegalStateException(
                  "cannot subscribe to " + shown + " on Redis at " + where, e);
            }
          }
        }
        return () -> {
          synchronized (into) {
            List<BiConsumer<String, byte[]>> list = into.get(key);
            if (list != null && list.remove(listener) && list.isEmpty() && rawSubscriber.isOpen()) {
              into.remove(key);
              if (pattern) {
                rawSubscriber.async().punsubscribe(bytes);
              } else {
                rawSubscriber.async().unsubscribe(bytes);
              }
            }
          }
        };
      }

      void close() {
        rawSubscriber.close();
        rawPublisher.close();
      }
    }

    private void shutdownClient() {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
