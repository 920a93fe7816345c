package dev.ipc.core;

import dev.ipc.core.annotation.Event;
import dev.ipc.core.annotation.Graphql;
import dev.ipc.core.annotation.Grpc;
import dev.ipc.core.annotation.IpcService;
import dev.ipc.core.annotation.Param;
import dev.ipc.core.annotation.Publishes;
import dev.ipc.core.annotation.Rest;
import dev.ipc.core.annotation.Roles;
import dev.ipc.core.model.ServiceDescriptor;
import java.util.List;
import java.util.concurrent.Flow;

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
   * Creates or replaces the task with {@code task.id()}; idempotent. A server that authenticates
   * admits only callers with role {@code writer}. The id is never negative and the name never blank
   * nor longer than {@value Descriptors#MAX_TASK_NAME} characters here.
   */
  @Grpc(method = "PutTask")
  @Rest(method = "PUT", path = "/tasks/{id}")
  @Graphql(field = "putTask")
  @Publishes("task:saved")
  @Roles("writer")
  Saved<Task> put(Task task);

  /**
   * Streams every task saved from now on (through {@link #put}, over any protocol), optionally only
   * those with {@code fromId <= id <= toId}: a gRPC server stream, a GraphQL subscription,
   * Server-Sent Events at {@code GET /tasks/watch}, and {@code task:saved} events after a Socket.IO
   * client emits {@code task:watchTasks}. Implementations get it as it is.
   */
  @Grpc(method = "WatchTasks")
  @Rest(method = "GET", path = "/tasks/watch")
  @Graphql(field = "taskSaved")
  @Event(items = "task:saved")
  default Flow.Publisher<Task> watchTasks(@Param("fromId") Long fromId, @Param("toId") Long toId) {
    return Feed.published("task:saved", Task.class)
        .filter(t -> (fromId == null || t.id() >= fromId) && (toId == null || t.id() <= toId));
  }
}
