package dev.ipc.core;

import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.ServiceDescriptor;

/**
 * The three built-in services, derived from their interfaces like any host's. The annotations on
 * the interfaces keep the article's wire names; what is left here is what annotations cannot say:
 * the article's GraphQL nullability, and the checks every implementation may rely on.
 */
final class Descriptors {
  static final int MAX_TASK_NAME = 200;

  // The article's schema: `food: String!`, `film: String!`, `name: String!` on Task; `age: Int` is
  // nullable while `sex: Boolean!` is not.
  static final ServiceDescriptor<DatingService> DATING =
      ServiceDescriptor.derive(DatingService.class)
          .record(RecordType.of(Eat.class).withNonNull("food"))
          .record(RecordType.of(Movie.class).withNonNull("film"))
          .validator("eating", args -> notBlank(((Eat) args[0]).food(), "food"))
          .validator("watchMovie", args -> notBlank(((Movie) args[0]).film(), "film"))
          .build();

  static final ServiceDescriptor<TaskService> TASK =
      ServiceDescriptor.derive(TaskService.class)
          .record(RecordType.of(Task.class).withNonNull("name"))
          .validator("get", args -> validId((Long) args[0]))
          .validator("put", args -> validTask((Task) args[0]))
          .build();

  static final ServiceDescriptor<PersonService> PERSON =
      ServiceDescriptor.derive(PersonService.class)
          .record(RecordType.of(Person.class).withNullable("age"))
          .build();

  private Descriptors() {}

  private static void validTask(Task task) {
    validId(task.id());
    notBlank(task.name(), "name");
    if (task.name().length() > MAX_TASK_NAME) {
      throw ServiceException.invalidArgument(
          "name: "
              + task.name().length()
              + " characters (expected: at most "
              + MAX_TASK_NAME
              + ")");
    }
  }

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
