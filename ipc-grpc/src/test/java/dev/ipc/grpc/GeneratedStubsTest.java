package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import date.DatingGrpc;
import date.DatingOuterClass;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Saved;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import person.PeopleGrpc;
import person.PersonOuterClass;
import task.TaskOuterClass;
import task.TasksGrpc;

/**
 * A grpc-java client built from the shipped {@code .proto} files (generated stubs) against the
 * adapter.
 */
@Timeout(60)
class GeneratedStubsTest {
  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  @Test
  void dating_bothMethodsFeelGood() {
    DatingGrpc.DatingBlockingStub dating =
        DatingGrpc.newBlockingStub(resources.channel(resources.serve()));
    assertThat(
            dating.eating(DatingOuterClass.Eat.newBuilder().setFood("steak").build()).getFeeling())
        .isTrue();
    assertThat(
            dating
                .watchMovie(DatingOuterClass.Movie.newBuilder().setFilm("星际穿越").build())
                .getFeeling())
        .isTrue();
  }

  @Test
  void dating_emptyFood_isInvalidArgument() {
    DatingGrpc.DatingBlockingStub dating =
        DatingGrpc.newBlockingStub(resources.channel(resources.serve()));
    assertStatus(
        () -> dating.eating(DatingOuterClass.Eat.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "food");
  }

  @Test
  void tasks_listGetPut() {
    TasksGrpc.TasksBlockingStub tasks =
        TasksGrpc.newBlockingStub(resources.channel(resources.serve()));
    assertThat(tasks.listTasks(TaskOuterClass.ListTasksRequest.getDefaultInstance()).getTasksList())
        .extracting(TaskOuterClass.Task::getId, TaskOuterClass.Task::getName)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, "task1"),
            org.assertj.core.groups.Tuple.tuple(2L, "task2"),
            org.assertj.core.groups.Tuple.tuple(3L, "task3"));
    assertThat(tasks.getTask(TaskOuterClass.GetTaskRequest.newBuilder().setId(2).build()).getName())
        .isEqualTo("task2");
    TaskOuterClass.Task five = TaskOuterClass.Task.newBuilder().setId(5).setName("task5").build();
    assertThat(tasks.putTask(five)).isEqualTo(five);
    assertThat(tasks.listTasks(TaskOuterClass.ListTasksRequest.getDefaultInstance()).getTasksList())
        .hasSize(4)
        .last()
        .isEqualTo(five);
  }

  @Test
  void tasks_missing_isNotFound() {
    TasksGrpc.TasksBlockingStub tasks =
        TasksGrpc.newBlockingStub(resources.channel(resources.serve()));
    assertStatus(
        () -> tasks.getTask(TaskOuterClass.GetTaskRequest.newBuilder().setId(42).build()),
        Status.Code.NOT_FOUND,
        "42");
  }

  @Test
  void person_isRootkit() {
    PeopleGrpc.PeopleBlockingStub people =
        PeopleGrpc.newBlockingStub(resources.channel(resources.serve()));
    PersonOuterClass.Person p =
        people.getPerson(PersonOuterClass.GetPersonRequest.getDefaultInstance());
    assertThat(p.getName()).isEqualTo("Rootkit");
    assertThat(p.getAge()).isEqualTo(99);
    assertThat(p.getSex()).isTrue();
    assertThat(p.getHobbyList())
        .containsExactly("Coding", "Badminton", "Billiards", "Reading", "Guitar");
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void errors_everyCodeIsTheGrpcStatusOfTheSameName(ErrorCode code) {
    DatingService failing =
        failing(new ServiceException(code, "no " + code.name().toLowerCase(Locale.ROOT)));
    DatingGrpc.DatingBlockingStub dating =
        DatingGrpc.newBlockingStub(resources.channel(resources.serve(List.of(failing))));
    assertStatus(
        () -> dating.eating(DatingOuterClass.Eat.newBuilder().setFood("x").build()),
        Status.Code.valueOf(code.name()),
        "no " + code.name().toLowerCase(Locale.ROOT));
  }

  @Test
  void errors_unexpectedExceptionIsInternalWithoutDetails() {
    DatingService broken = failing(new IllegalStateException("secret token 42"));
    DatingGrpc.DatingBlockingStub dating =
        DatingGrpc.newBlockingStub(resources.channel(resources.serve(List.of(broken))));
    assertThatThrownBy(() -> dating.eating(DatingOuterClass.Eat.newBuilder().setFood("x").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(ServiceException.INTERNAL_MESSAGE);
            });
  }

  @Test
  void errors_replyThatCannotBeEncodedIsInternalNotUnknown() {
    TaskService broken =
        new TaskService() {
          @Override
          public List<Task> list() {
            return java.util.Arrays.asList(new Task(1, "task1"), null);
          }

          @Override
          public Task get(long id) {
            return new Task(id, "t");
          }

          @Override
          public Saved<Task> put(Task task) {
            return new Saved<>(task, true);
          }
        };
    TasksGrpc.TasksBlockingStub tasks =
        TasksGrpc.newBlockingStub(resources.channel(resources.serve(List.of(broken))));
    assertStatus(
        () -> tasks.listTasks(TaskOuterClass.ListTasksRequest.getDefaultInstance()),
        Status.Code.INTERNAL,
        ServiceException.INTERNAL_MESSAGE);
    assertThat(tasks.getTask(TaskOuterClass.GetTaskRequest.newBuilder().setId(2).build()).getName())
        .isEqualTo("t");
  }

  @Test
  void tasks_watchWithTheBlockingIterator() throws Exception {
    Server server = resources.serve();
    TasksGrpc.TasksBlockingStub tasks = TasksGrpc.newBlockingStub(resources.channel(server));
    io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
    java.util.Iterator<TaskOuterClass.Task> watch =
        context.call(
            () ->
                tasks.watchTasks(
                    TaskOuterClass.WatchTasksRequest.newBuilder().setFromId(6).build()));
    awaitOpenStreams(server, 1);
    TaskOuterClass.Task five = TaskOuterClass.Task.newBuilder().setId(5).setName("task5").build();
    TaskOuterClass.Task six = TaskOuterClass.Task.newBuilder().setId(6).setName("task6").build();
    tasks.putTask(five);
    tasks.putTask(six);
    assertThat(watch.next()).isEqualTo(six);
    context.cancel(null);
    awaitOpenStreams(server, 0);
  }

  @Test
  void errors_aStreamFailingMidwayEndsInternalWithoutDetails_afterItsValues() throws Exception {
    TaskService broken =
        new TaskService() {
          @Override
          public List<Task> list() {
            return List.of();
          }

          @Override
          public Task get(long id) {
            return new Task(id, "t");
          }

          @Override
          public Saved<Task> put(Task task) {
            return new Saved<>(task, true);
          }

          @Override
          public java.util.concurrent.Flow.Publisher<Task> watchTasks(Long fromId, Long toId) {
            // A value, then a failure whose message must not reach the caller.
            return subscriber ->
                subscriber.onSubscribe(
                    new java.util.concurrent.Flow.Subscription() {
                      private boolean sent;

                      @Override
                      public void request(long n) {
                        if (!sent) {
                          sent = true;
                          subscriber.onNext(new Task(1, "fine"));
                          subscriber.onError(new IllegalStateException("secret token 42"));
                        }
                      }

                      @Override
                      public void cancel() {}
                    });
          }
        };
    Server server = resources.serve(List.of(broken));
    java.util.Iterator<TaskOuterClass.Task> watch =
        TasksGrpc.newBlockingStub(resources.channel(server))
            .watchTasks(TaskOuterClass.WatchTasksRequest.getDefaultInstance());
    assertThat(watch.next().getName()).isEqualTo("fine");
    assertStatus(watch::next, Status.Code.INTERNAL, ServiceException.INTERNAL_MESSAGE);
    awaitOpenStreams(server, 0);
  }

  private static void awaitOpenStreams(Server server, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.openStreams() != n && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(server.openStreams()).as("open streams").isEqualTo(n);
  }

  @Test
  void serviceCode_runsOffTheEventLoop() {
    AtomicReference<String> thread = new AtomicReference<>();
    DatingService recording =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            thread.set(Thread.currentThread().getName());
            return new Feel(true);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return new Feel(true);
          }
        };
    DatingGrpc.DatingBlockingStub dating =
        DatingGrpc.newBlockingStub(resources.channel(resources.serve(List.of(recording))));
    dating.eating(DatingOuterClass.Eat.newBuilder().setFood("x").build());
    assertThat(thread.get()).startsWith("ipc-call-").doesNotContain("grpc").doesNotContain("nio");
  }

  @Test
  void deadline_expiredWhileQueued_isDeadlineExceededAndNeverRuns() throws Exception {
    // The executor holds each call until the call's own context is cancelled (the deadline passed),
    // then runs it: the adapter must notice and not call the service.
    CountDownLatch ran = new CountDownLatch(1);
    AtomicInteger served = new AtomicInteger();
    java.util.concurrent.Executor gated =
        task ->
            io.grpc.Context.current()
                .addListener(
                    ctx ->
                        new Thread(
                                () -> {
                                  task.run();
                                  ran.countDown();
                                },
                                "gated")
                            .start(),
                    Runnable::run);
    DatingService counting = counting(served);
    Server server =
        resources.serve(
            List.of(counting),
            GrpcTransport.builder().host("127.0.0.1").port(0).executor(gated).build());
    DatingGrpc.DatingBlockingStub dating = DatingGrpc.newBlockingStub(resources.channel(server));
    assertStatus(
        () ->
            dating
                .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                .eating(DatingOuterClass.Eat.newBuilder().setFood("late").build()),
        Status.Code.DEADLINE_EXCEEDED,
        "");
    assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(served).hasValue(0);
  }

  @Test
  void cancelledWhileQueued_neverRuns() throws Exception {
    CountDownLatch queued = new CountDownLatch(1);
    CountDownLatch ran = new CountDownLatch(1);
    AtomicInteger served = new AtomicInteger();
    java.util.concurrent.Executor gated =
        task -> {
          io.grpc.Context.current()
              .addListener(
                  ctx ->
                      new Thread(
                              () -> {
                                task.run();
                                ran.countDown();
                              },
                              "gated")
                          .start(),
                  Runnable::run);
          queued.countDown();
        };
    Server server =
        resources.serve(
            List.of(counting(served)),
            GrpcTransport.builder().host("127.0.0.1").port(0).executor(gated).build());
    var future =
        DatingGrpc.newFutureStub(resources.channel(server))
            .eating(DatingOuterClass.Eat.newBuilder().setFood("never").build());
    assertThat(queued.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(future.cancel(true)).isTrue();
    assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(served).hasValue(0);
  }

  @Test
  void close_callInFlightFinishesAndNewCallsAreUnavailable() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Server server = resources.serve(List.of(Resources.held(entered, release)));
    ManagedChannel channel = resources.channel(server);
    BlockingQueue<ServingStatus> health = Resources.watchHealth(channel, "date.Dating");
    assertThat(health.poll(20, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
    var inFlight =
        DatingGrpc.newFutureStub(channel)
            .eating(DatingOuterClass.Eat.newBuilder().setFood("slow").build());
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    // NOT_SERVING is announced once close began: from then on new calls are refused.
    assertThat(health.poll(20, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);
    DatingGrpc.DatingBlockingStub dating = DatingGrpc.newBlockingStub(channel);
    assertStatus(
        () -> dating.watchMovie(DatingOuterClass.Movie.newBuilder().setFilm("late").build()),
        Status.Code.UNAVAILABLE,
        "");
    assertThat(closing).isNotDone();

    release.countDown();
    assertThat(inFlight.get(20, TimeUnit.SECONDS).getFeeling()).isTrue();
    closing.get(20, TimeUnit.SECONDS);
  }

  @Test
  void saturatedExecutor_isResourceExhausted() {
    java.util.concurrent.Executor full =
        task -> {
          throw new java.util.concurrent.RejectedExecutionException("full");
        };
    AtomicInteger served = new AtomicInteger();
    Server server =
        resources.serve(
            List.of(counting(served)),
            GrpcTransport.builder().host("127.0.0.1").port(0).executor(full).build());
    DatingGrpc.DatingBlockingStub dating = DatingGrpc.newBlockingStub(resources.channel(server));
    assertStatus(
        () -> dating.eating(DatingOuterClass.Eat.newBuilder().setFood("x").build()),
        Status.Code.RESOURCE_EXHAUSTED,
        "busy");
    assertThat(served).hasValue(0);
  }

  private static DatingService counting(AtomicInteger served) {
    return new DatingService() {
      @Override
      public Feel eating(Eat eat) {
        served.incrementAndGet();
        return new Feel(true);
      }

      @Override
      public Feel watchMovie(Movie movie) {
        served.incrementAndGet();
        return new Feel(true);
      }
    };
  }

  private static DatingService failing(RuntimeException e) {
    return new DatingService() {
      @Override
      public Feel eating(Eat eat) {
        throw e;
      }

      @Override
      public Feel watchMovie(Movie movie) {
        throw e;
      }
    };
  }

  static void assertStatus(Runnable call, Status.Code code, String descriptionPart) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              if (!descriptionPart.isEmpty()) {
                assertThat(e.getStatus().getDescription()).contains(descriptionPart);
              }
            });
  }
}
