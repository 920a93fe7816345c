package dev.ipc.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Saved;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The task list of a cluster: one Redis hash ({@value #KEY}, a field per id, the task as JSON) that
 * every node reads and writes, so a put on any node is read back on all. {@code HSET} is atomic and
 * says whether the field is new, which is the same created-or-replaced answer the in-memory list
 * gives. A fresh hash gets the article's tasks 1 to 3 ({@code HSETNX}: a node joining later keeps
 * what is there). Thread-safe: Lettuce's connection is.
 *
 * <p>While Redis is unreachable every call fails at once with {@link ErrorCode#UNAVAILABLE} (gRPC
 * 14, HTTP 503), never hangs and never answers INTERNAL: commands are rejected while disconnected
 * instead of queued (Lettuce's default queues them and the caller waits out its 60 s timeout), a
 * Redis that accepts the connection but does not answer costs at most {@link #COMMAND_TIMEOUT}, and
 * the connection comes back by itself within seconds of Redis.
 */
final class RedisTasks implements TaskService {
  static final String KEY = "ipc:tasks";
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

  private final RedisClient client;
  private final ClientResources resources;
  private final RedisCommands<String, String> redis;

  private RedisTasks(
      RedisClient client, ClientResources resources, RedisCommands<String, String> redis) {
    this.client = client;
    this.resources = resources;
    this.redis = redis;
  }

  /** Connects to the Redis at {@code uri} ({@code redis://host:6379}) and seeds an empty list. */
  static RedisTasks connect(String uri) {
    // Retry soon after an outage and at most every 2 s (Lettuce's default backs off to 30 s), so
    // task
    // calls work again within seconds of Redis coming back, as the bus does.
    ClientResources resources =
        ClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                () ->
                    Delay.exponential(
                        Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
            .build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
            .build());
    client.setDefaultTimeout(COMMAND_TIMEOUT);
    try {
      RedisCommands<String, String> redis = client.connect().sync();
      RedisTasks tasks = new RedisTasks(client, resources, redis);
      for (long id = 1; id <= 3; id++) {
        redis.hsetnx(KEY, Long.toString(id), tasks.json(new Task(id, "task" + id)));
      }
      return tasks;
    } catch (RuntimeException e) {
      client.shutdown();
      resources.shutdown();
      throw e;
    }
  }

  @Override
  public List<Task> list() {
    List<Task> all = new ArrayList<>();
    for (String json : call(() -> redis.hvals(KEY))) {
      all.add(task(json));
    }
    all.sort(Comparator.comparingLong(Task::id));
    return all;
  }

  @Override
  public Task get(long id) {
    String json = call(() -> redis.hget(KEY, Long.toString(id)));
    if (json == null) {
      throw ServiceException.notFound("task " + id + " not found");
    }
    return task(json);
  }

  @Override
  public Saved<Task> put(Task task) {
    String json = json(task);
    boolean created = call(() -> redis.hset(KEY, Long.toString(task.id()), json));
    return new Saved<>(task, created);
  }

  /**
   * Closes the connection and its threads; without this a node closed in a running JVM (a test)
   * would keep trying to reconnect to its Redis for as long as the JVM lives.
   */
  void close() {
    client.shutdown();
    resources.shutdown();
  }

  /**
   * Runs one command; Redis unreachable, not answering within the timeout, or refusing the command
   * becomes UNAVAILABLE with a message that names no host. Not logged per call: during an outage
   * that would be a line per call, and the bus already logs the outage once.
   */
  private static <T> T call(Supplier<T> command) {
    try {
      return command.get();
    } catch (RedisException e) {
      throw new ServiceException(ErrorCode.UNAVAILABLE, "the task store is unavailable, try again");
    }
  }

  private String json(Task task) {
    try {
      return JSON.writeValueAsString(task);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Task task(String json) {
    try {
      return JSON.readValue(json, Task.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a task in " + KEY + " is not JSON a task reads from", e);
    }
  }
}
