package dev.ipc.core;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Thread-safe in-memory implementations of the three services, holding the article's reference
 * data: tasks {@code {1,task1} {2,task2} {3,task3}}, the person Rootkit, and a date that feels good
 * about any food or film. The examples serve them; every adapter's tests run against them.
 */
public final class Reference {
  private Reference() {}

  /** Returns a new dating service that feels good about everything. */
  public static DatingService dating() {
    return new DatingService() {
      @Override
      public Feel eating(Eat eat) {
        return new Feel(true);
      }

      @Override
      public Feel watchMovie(Movie movie) {
        return new Feel(true);
      }
    };
  }

  /** Returns a new task store holding tasks 1 to 3. */
  public static TaskService tasks() {
    return new InMemoryTasks();
  }

  /** Returns the article's person. */
  public static PersonService person() {
    Person rootkit =
        new Person(
            "Rootkit", 99, true, List.of("Coding", "Badminton", "Billiards", "Reading", "Guitar"));
    return () -> rootkit;
  }

  /** Returns a fresh set of all three: dating, tasks, person. */
  public static List<Object> services() {
    return List.of(dating(), tasks(), person());
  }

  private static final class InMemoryTasks implements TaskService {
    private final ConcurrentSkipListMap<Long, Task> tasks = new ConcurrentSkipListMap<>();

    InMemoryTasks() {
      for (long id = 1; id <= 3; id++) {
        tasks.put(id, new Task(id, "task" + id));
      }
    }

    @Override
    public List<Task> list() {
      return List.copyOf(tasks.values());
    }

    @Override
    public Task get(long id) {
      Task task = tasks.get(id);
      if (task == null) {
        throw ServiceException.notFound("task " + id + " not found");
      }
      return task;
    }

    @Override
    public Saved<Task> put(Task task) {
      Task previous = tasks.put(task.id(), task);
      return new Saved<>(task, previous == null);
    }
  }
}
