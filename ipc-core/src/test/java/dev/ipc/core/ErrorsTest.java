package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ErrorsTest {

  @Test
  void from_keepsServiceExceptionsAndHidesEverythingElse() {
    ServiceException own = new ServiceException(ErrorCode.PERMISSION_DENIED, "no");
    assertThat(ServiceException.from(own)).isSameAs(own);
    ServiceException hidden = ServiceException.from(new IllegalStateException("password=hunter2"));
    assertThat(hidden.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(hidden.getMessage()).isEqualTo("internal error");
    assertThat(hidden.getCause()).isNull();
  }

  @Test
  void boundOperation_mapsUnexpectedExceptionsToInternal() {
    DatingService broken =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            throw new IllegalStateException("secret");
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return null;
          }
        };
    TestTransport t = new TestTransport("t", 0);
    try (Server ignored = Transports.builder().service(broken).transport(t).start()) {
      assertThatThrownBy(() -> t.operation("dating", "eating").call(new Eat("x")))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e ->
                  assertThat(e)
                      .hasMessage("internal error")
                      .extracting(ServiceException::code)
                      .isEqualTo(ErrorCode.INTERNAL));
      // A service answering null is a bug on the server, not the caller's fault.
      assertThatThrownBy(() -> t.operation("dating", "watchMovie").call(new Movie("x")))
          .isInstanceOfSatisfying(
              ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
      // A transport passing the wrong request type is a bug too.
      assertThatThrownBy(() -> t.operation("dating", "eating").call(new Movie("x")))
          .isInstanceOfSatisfying(
              ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
    }
  }

  @Test
  void validation_rejectsBadInputBeforeTheServiceSeesIt() {
    AtomicInteger calls = new AtomicInteger();
    TaskService counting =
        new TaskService() {
          @Override
          public java.util.List<Task> list() {
            return java.util.List.of();
          }

          @Override
          public Task get(long id) {
            calls.incrementAndGet();
            return new Task(id, "x");
          }

          @Override
          public Saved<Task> put(Task task) {
            calls.incrementAndGet();
            return new Saved<>(task, true);
          }
        };
    TestTransport t = new TestTransport("t", 0);
    try (Server ignored = Transports.builder().service(counting).transport(t).start()) {
      TaskService tasks = TaskService.DESCRIPTOR.client(t.caller());
      assertInvalid(() -> tasks.get(-1), "id: -1 (expected: >= 0)");
      assertInvalid(() -> tasks.put(new Task(1, "")), "name: must not be blank");
      assertInvalid(() -> tasks.put(new Task(1, null)), "name: must not be blank");
      assertInvalid(() -> tasks.put(new Task(1, "n".repeat(201))), "at most 200");
      assertThat(calls).hasValue(0);
      assertThat(tasks.put(new Task(1, "n".repeat(200))).created()).isTrue();
      assertThat(calls).hasValue(1);
    }
  }

  @Test
  void reference_getMissingTaskIsNotFound() {
    assertThatThrownBy(() -> Reference.tasks().get(42))
        .isInstanceOfSatisfying(
            ServiceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
              assertThat(e).hasMessage("task 42 not found");
            });
  }

  private static void assertInvalid(Runnable r, String message) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            ServiceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(message);
            });
  }
}
