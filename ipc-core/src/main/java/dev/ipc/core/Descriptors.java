package dev.ipc.core;

import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.ServiceDescriptor;
import java.util.List;

/** The three built-in services described as data. The names here are the wire contract. */
final class Descriptors {
  static final int MAX_TASK_NAME = 200;

  /** Request of {@code task.Tasks/ListTasks}: no fields. */
  record ListTasksRequest() {}

  /** Request of {@code task.Tasks/GetTask}. */
  record GetTaskRequest(long id) {}

  /** Request of {@code person.People/GetPerson}: no fields. */
  record GetPersonRequest() {}

  private static final RecordType<Eat> EAT = RecordType.of(Eat.class).withNonNull("food");
  private static final RecordType<Movie> MOVIE = RecordType.of(Movie.class).withNonNull("film");
  private static final RecordType<Feel> FEEL = RecordType.of(Feel.class);
  private static final RecordType<Task> TASK_TYPE = RecordType.of(Task.class).withNonNull("name");
  // The article's schema: `age: Int` is nullable, `sex: Boolean!` is not.
  private static final RecordType<Person> PERSON_TYPE = RecordType.of(Person.class).withNullable("age");

  static final ServiceDescriptor<DatingService> DATING =
      ServiceDescriptor.builder(DatingService.class, "dating")
          .grpc("date", "Dating")
          .operation(
              Operation.<DatingService, Eat, Feel>builder("eating", EAT, FEEL)
                  .invoker(DatingService::eating)
                  .validator(r -> notBlank(r.food(), "food"))
                  .mutation()
                  .grpcMethod("Eating")
                  .rest("POST", "/dating/eating"))
          .operation(
              Operation.<DatingService, Movie, Feel>builder("watchMovie", MOVIE, FEEL)
                  .invoker(DatingService::watchMovie)
                  .validator(r -> notBlank(r.film(), "film"))
                  .mutation()
                  .grpcMethod("WatchMovie")
                  .rest("POST", "/dating/watch-movie"))
          .client(
              stub ->
                  new DatingService() {
                    @Override
                    public Feel eating(Eat eat) {
                      return stub.call("eating", eat);
                    }

                    @Override
                    public Feel watchMovie(Movie movie) {
                      return stub.call("watchMovie", movie);
                    }
                  })
          .build();

  static final ServiceDescriptor<TaskService> TASK =
      ServiceDescriptor.builder(TaskService.class, "task")
          .grpc("task", "Tasks")
          .operation(
              Operation.<TaskService, ListTasksRequest, Task>builder(
                      "list", RecordType.of(ListTasksRequest.class), TASK_TYPE)
                  .manyInvoker((s, r) -> s.list())
                  .grpcMethod("ListTasks")
                  .grpcResponse("ListTasksResponse", "tasks")
                  .rest("GET", "/tasks")
                  .graphqlField("tasks"))
          .operation(
              Operation.<TaskService, GetTaskRequest, Task>builder(
                      "get", RecordType.of(GetTaskRequest.class), TASK_TYPE)
                  .invoker((s, r) -> s.get(r.id()))
                  .validator(r -> validId(r.id()))
                  .grpcMethod("GetTask")
                  .rest("GET", "/tasks/{id}")
                  .graphqlField("task"))
          .operation(
              Operation.<TaskService, Task, Task>builder("put", TASK_TYPE, TASK_TYPE)
                  .invoker(TaskService::put)
                  .validator(
                      r -> {
                        validId(r.id());
                        notBlank(r.name(), "name");
                        if (r.name().length() > MAX_TASK_NAME) {
                          throw ServiceException.invalidArgument(
                              "name: "
                                  + r.name().length()
                                  + " characters (expected: at most "
                                  + MAX_TASK_NAME
                                  + ")");
                        }
                      })
                  .mutation()
                  .grpcMethod("PutTask")
                  .rest("PUT", "/tasks/{id}")
                  .graphqlField("putTask")
                  .publishes("task:saved"))
          .client(
              stub ->
                  new TaskService() {
                    @Override
                    public List<Task> list() {
                      return stub.call("list", new ListTasksRequest());
                    }

                    @Override
                    public Task get(long id) {
                      return stub.call("get", new GetTaskRequest(id));
                    }

                    @Override
                    public Saved<Task> put(Task task) {
                      var reply = stub.reply("put", task);
                      return new Saved<>((Task) reply.value(), reply.created());
                    }
                  })
          .build();

  static final ServiceDescriptor<PersonService> PERSON =
      ServiceDescriptor.builder(PersonService.class, "person")
          .grpc("person", "People")
          .operation(
              Operation.<PersonService, GetPersonRequest, Person>builder(
                      "person", RecordType.of(GetPersonRequest.class), PERSON_TYPE)
                  .invoker((s, r) -> s.person())
                  .grpcMethod("GetPerson")
                  .rest("GET", "/person")
                  .graphqlRootFields()
                  .event("person:get"))
          .client(
              stub ->
                  new PersonService() {
                    @Override
                    public Person person() {
                      return stub.call("person", new GetPersonRequest());
                    }
                  })
          .build();

  private Descriptors() {}

  private static void notBlank(String value, String field) {
    if (value == null || value.isBlank()) {
      throw ServiceException.invalidArgument(field + ": must not be blank");
    }
  }

  private static void validId(long id) {
    if (id < 0) {
      throw ServiceException.invalidArgument("id: " + id + " (expected: >= 0)");
    }
  }
}
