package dev.ipc.core;

import dev.ipc.core.model.ServiceDescriptor;
import java.util.List;

/** The article's REST task list. Implementations must be thread-safe. */
public interface TaskService {
  /** Describes this service to the adapters. */
  ServiceDescriptor<TaskService> DESCRIPTOR = Descriptors.TASK;

  /** Returns every task, ordered by id. */
  List<Task> list();

  /**
   * Returns the task with this id.
   *
   * @throws ServiceException with {@link ErrorCode#NOT_FOUND} when there is none
   */
  Task get(long id);

  /**
   * Creates or replaces the task with {@code task.id()}; idempotent. The id is never negative and the
   * name never blank nor longer than {@value Descriptors#MAX_TASK_NAME} characters here.
   */
  Saved<Task> put(Task task);
}
