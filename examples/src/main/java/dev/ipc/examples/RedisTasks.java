package dev.ipc.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Saved;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The task list of a cluster: one Redis hash ({@value #KEY}, a field per id, the task as JSON) that
 * every node reads and writes, so a put on any node is read back on all. {@code HSET} is atomic and
 * says whether the field is new, which is the same created-or-replaced answer the in-memory list
 * gives. A fresh hash gets the article's tasks 1 to 3 ({@code HSETNX}: a node joining later keeps what
 * is there). Thread-safe: Lettuce's connection is.
 */
final class RedisTasks implements TaskService {
  static final String KEY = "ipc:tasks";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RedisCommands<String, String> redis;

  private RedisTasks(RedisCommands<String, String> redis) {
    this.redis = redis;
  }

  /** Connects to the Redis at {@code uri} ({@code redis://host:6379}) and seeds an empty list. */
  static RedisTasks connect(String uri) {
    RedisCommands<String, String> redis = RedisClient.create(uri).connect().sync();
    RedisTasks tasks = new RedisTasks(redis);
    for (long id = 1; id <= 3; id++) {
      redis.hsetnx(KEY, Long.toString(id), tasks.json(new Task(id, "task" + id)));
    }
    return tasks;
  }

  @Override
  public List<Task> list() {
    List<Task> all = new ArrayList<>();
    for (String json : redis.hvals(KEY)) {
      all.add(task(json));
    }
    all.sort(Comparator.comparingLong(Task::id));
    return all;
  }

  @Override
  public Task get(long id) {
    String json = redis.hget(KEY, Long.toString(id));
    if (json == null) {
      throw ServiceException.notFound("task " + id + " not found");
    }
    return task(json);
  }

  @Override
  public Saved<Task> put(Task task) {
    boolean created = redis.hset(KEY, Long.toString(task.id()), json(task));
    return new Saved<>(task, created);
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
