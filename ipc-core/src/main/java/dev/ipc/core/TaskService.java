package dev.ipc.core;

import dev.ipc.core.annotation.Graphql;
import dev.ipc.core.annotation.Grpc;
import dev.ipc.core.annotation.IpcService;
import dev.ipc.core.annotation.Publishes;
import dev.ipc.core.annotation.Rest;
import dev.ipc.core.annotation.Roles;
import dev.ipc.core.model.ServiceDescriptor;
import java.util.List;

/** The article's REST task list. Implementations must be thread-safe. */
@IpcService(grpcPackage = "task", grpcService = "Tasks")
public interface TaskService {
  /** Describes this service to the adapters. */
  ServiceDescriptor<TaskService> DESCRIPTOR = Descriptors.TASK;

  /** Returns every task, ordered by id. */
  @Grpc(method = "ListTasks", responseField = "tasks")
  @Rest(method = "GET", path = "/tasks")
  @Graphql(field = "tasks")
  List<Task> list();

  /**
   * Returns the task with this id.
   *
   * @throws ServiceException with {@link ErrorCode#NOT_FOUND} when there is none
   */
  @Grpc(method = "GetTask")
  @Rest(method = "GET", path = "/tasks/{id}")
  @Graphql(field = "task")
  Task get(long id);

  /**
   * Creates or replaces the task with {@code task.id()}; idempotent. A server that authenticates admits
   * only callers with role {@code writer}. The id is never negative and the
   * name never blank nor longer than {@value Descriptors#MAX_TASK_NAME} characters here.
   */
  @Grpc(method = "PutTask")
  @Rest(method = "PUT", path = "/tasks/{id}")
  @Graphql(field = "putTask")
  @Publishes("task:saved")
  @Roles("writer")
  Saved<Task> put(Task task);
}
