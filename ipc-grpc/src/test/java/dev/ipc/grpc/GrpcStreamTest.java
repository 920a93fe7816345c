package dev.ipc.grpc;

import static dev.ipc.grpc.Python.PYTHON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.Feed;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.annotation.Roles;
import dev.ipc.core.testing.Interop;
import dev.ipc.grpc.Python.Result;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import task.TaskOuterClass;
import task.TasksGrpc;

/**
 * Issue 19 over gRPC, against real servers: {@code WatchTasks} as a server stream to grpc-java
 * stubs generated from the shipped {@code task.proto}, a raw grpc-java call, Python grpcio and our
 * own client; the filter, {@code last-event-id} resume, a slow consumer ended while a fast one gets
 * everything, cancel and close, and authentication on subscribe.
 */
@Timeout(120)
class GrpcStreamTest {
  private static final Map<String, Principal> TOKENS =
      Map.of(
          "reader-token",
          Principal.of("rita", "reader"),
          "writer-token",
          Principal.of("walt", "writer"));

  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  /** A streaming operation only writers may open, on the feed TaskService.put publishes. */
  public interface Watchtower {
    @Roles("writer")
    Flow.Publisher<Task> watchSaves();
  }

  private Server serve(List<?> services, Consumer<Transports.Builder> settings) {
    Transports.Builder b =
        Transports.builder()
            .services(services)
            .transport(GrpcTransport.builder().host("127.0.0.1").port(0).build())
            .gracePeriod(Duration.ofSeconds(10));
    settings.accept(b);
    Server server = b.start();
    resources.add(server);
    return server;
  }

  private GrpcClient client(Server server) {
    GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"));
    resources.add(client);
    return client;
  }

  private static TaskOuterClass.Task task(long id, String name) {
    return TaskOuterClass.Task.newBuilder().setId(id).setName(name).build();
  }

  @Test
  void generatedBlockingStub_getsSavedTasksInOrder_filtered_andCancelEndsTheStream()
      throws Exception {
    Server server = resources.serve();
    TasksGrpc.TasksBlockingStub tasks = TasksGrpc.newBlockingStub(resources.channel(server));
    // Each stream in a context of its own: cancelling the context is how a blocking stub cancels.
    Context.CancellableContext allContext = Context.current().withCancellation();
    Context.CancellableContext rangedContext = Context.current().withCancellation();
    Iterator<TaskOuterClass.Task> all =
        allContext.call(
            () -> tasks.watchTasks(TaskOuterClass.WatchTasksRequest.getDefaultInstance()));
    Iterator<TaskOuterClass.Task> ranged =
        rangedContext.call(
            () ->
                tasks.watchTasks(
                    TaskOuterClass.WatchTasksRequest.newBuilder().setFromId(5).setToId(6).build()));
    awaitOpenStreams(server, 2);

    for (long id = 4; id <= 7; id++) {
      tasks.putTask(task(id, "saved " + id));
    }
    tasks.putTask(task(5, "again"));

    assertThat(take(all, 5))
        .containsExactly(
            task(4, "saved 4"),
            task(5, "saved 5"),
            task(6, "saved 6"),
            task(7, "saved 7"),
            task(5, "again"));
    assertThat(take(ranged, 3))
        .containsExactly(task(5, "saved 5"), task(6, "saved 6"), task(5, "again"));

    allContext.cancel(null);
    awaitOpenStreams(server, 1);
    rangedContext.cancel(null);
    awaitOpenStreams(server, 0);
  }

  @Test
  void lastEventIdMetadata_replaysTheSavesAfterIt_thenGoesLive() throws Exception {
    Server server = resources.serve();
    TasksGrpc.TasksBlockingStub tasks = TasksGrpc.newBlockingStub(resources.channel(server));
    // Saved before anyone watches: the feed's ids 1, 2 and 3 on this fresh server.
    for (long id = 4; id <= 6; id++) {
      tasks.putTask(task(id, "missed " + id));
    }
    Metadata resume = new Metadata();
    resume.put(Metadata.Key.of("last-event-id", Metadata.ASCII_STRING_MARSHALLER), "1");
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<TaskOuterClass.Task> watch =
        context.call(
            () ->
                tasks
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(resume))
                    .watchTasks(TaskOuterClass.WatchTasksRequest.getDefaultInstance()));
    awaitOpenStreams(server, 1);
    tasks.putTask(task(7, "live 7"));

    assertThat(take(watch, 3))
        .containsExactly(task(5, "missed 5"), task(6, "missed 6"), task(7, "live 7"));
    context.cancel(null);
    awaitOpenStreams(server, 0);
  }

  @Test
  void serverClose_endsTheStreamWithOk_afterItsValues() throws Exception {
    Server server = resources.serve();
    ManagedChannel channel = resources.channel(server);
    List<TaskOuterClass.Task> values = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> end = new CompletableFuture<>();
    TasksGrpc.newStub(channel)
        .watchTasks(
            TaskOuterClass.WatchTasksRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(TaskOuterClass.Task value) {
                values.add(value);
              }

              @Override
              public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                end.complete(Status.OK);
              }
            });
    awaitOpenStreams(server, 1);
    TasksGrpc.newBlockingStub(channel).putTask(task(11, "before close"));
    await(() -> values.size() == 1, "the saved task arrived");

    server.close();
    assertThat(end.get(20, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(values).containsExactly(task(11, "before close"));
    assertThat(server.openStreams()).isZero();
  }

  @Test
  void slowConsumer_isEndedResourceExhausted_whileAFastOneGetsEverything() throws Exception {
    int streamBuffer = 64;
    Server server = serve(Reference.services(), b -> b.streamBuffer(streamBuffer));
    // The slow caller: a raw call that never asks for a message, on a connection with the smallest
    // HTTP/2
    // window, so gRPC's flow control stops the server writing and the server's buffer is what
    // fills.
    ManagedChannel slowChannel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port("grpc"))
            .usePlaintext()
            .flowControlWindow(65_535)
            .build();
    resources.add(
        () -> {
          slowChannel.shutdownNow();
          slowChannel.awaitTermination(5, TimeUnit.SECONDS);
        });
    ClientCall<TaskOuterClass.WatchTasksRequest, TaskOuterClass.Task> slow =
        slowChannel.newCall(TasksGrpc.getWatchTasksMethod(), CallOptions.DEFAULT);
    AtomicInteger slowValues = new AtomicInteger();
    CompletableFuture<Status> slowEnd = new CompletableFuture<>();
    slow.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(TaskOuterClass.Task message) {
            slowValues.incrementAndGet();
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            slowEnd.complete(status);
          }
        },
        new Metadata());
    slow.sendMessage(TaskOuterClass.WatchTasksRequest.getDefaultInstance());
    slow.halfClose();

    GrpcClient client = client(server);
    TaskService tasks = client.service(TaskService.DESCRIPTOR);
    Collector fast = new Collector();
    tasks.watchTasks(null, null).subscribe(fast);
    awaitOpenStreams(server, 2);

    // Names at the model's limit, so a few hundred saves fill the slow caller's window; saved until
    // the
    // server has ended it (the bound is only a guard against a server that never does).
    String name = "x".repeat(200);
    int saved = 0;
    while (server.openStreams() == 2 && saved < 20_000) {
      saved++;
      tasks.put(new Task(saved, name));
    }
    awaitOpenStreams(server, 1);
    assertThat(server.stats().streamsEndedBehind()).isEqualTo(1);

    int n = saved;
    await(
        () -> fast.values.size() >= n || fast.done.isDone(), "the fast subscriber got every save");
    assertThat(fast.values).extracting(Task::id).containsExactlyElementsOf(ids(n));
    assertThat(fast.done).isNotDone();

    // Once the slow caller reads, it gets what was in flight and then the reason it was ended.
    slow.request(Integer.MAX_VALUE);
    Status status = slowEnd.get(20, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("fell behind");
    assertThat(slowValues.get()).isLessThan(n);
  }

  @Test
  void ourClient_cancelEndsTheStreamOnTheServer_andTheStreamSendsTheClientsMetadata()
      throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    Server server =
        serve(
            Reference.services(),
            b ->
                b.interceptor(
                    (context, request, next) -> {
                      if (context.operation().streaming()) {
                        seen.set(context.metadata().get("x-tenant"));
                      }
                      return next.proceed(request);
                    }));
    TaskService tasks =
        client(server)
            .withMetadata(dev.ipc.core.Metadata.of("x-tenant", "acme"))
            .service(TaskService.DESCRIPTOR);
    Collector watcher = new Collector();
    tasks.watchTasks(null, null).subscribe(watcher);
    awaitOpenStreams(server, 1);
    assertThat(seen).hasValue("acme");
    tasks.put(new Task(4, "four"));
    await(() -> watcher.values.size() == 1, "the save arrived");
    watcher.subscription.get().cancel();
    awaitOpenStreams(server, 0);
    assertThat(watcher.values).containsExactly(new Task(4, "four"));
  }

  @Test
  void subscribing_checksTokensAndRoles_overTheJavaClients() throws Exception {
    Server server =
        serve(
            List.of(Reference.tasks(), (Watchtower) () -> Feed.published("task:saved", Task.class)),
            b ->
                b.authenticate(TOKENS::get)
                    .interceptor(
                        (context, request, next) -> {
                          context
                              .responseMetadata()
                              .add("x-served-by", "ipc-" + context.transport());
                          return next.proceed(request);
                        }));
    ManagedChannel channel = resources.channel(server);
    TasksGrpc.TasksBlockingStub stub = TasksGrpc.newBlockingStub(channel);

    // grpc-java: a bad token is refused before any value, as the status of the stream.
    Iterator<TaskOuterClass.Task> refused =
        stub.withInterceptors(bearer("not-a-token"))
            .watchTasks(TaskOuterClass.WatchTasksRequest.getDefaultInstance());
    assertThatThrownBy(refused::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

    // Our client: the same refusals reach the subscriber as ServiceExceptions of the same codes.
    GrpcClient client = client(server);
    assertThat(
            refusal(
                client
                    .withBearerToken("not-a-token")
                    .service(TaskService.DESCRIPTOR)
                    .watchTasks(null, null)))
        .isEqualTo(ErrorCode.UNAUTHENTICATED);
    assertThat(refusal(client.service(Watchtower.class).watchSaves()))
        .isEqualTo(ErrorCode.UNAUTHENTICATED);
    assertThat(
            refusal(client.withBearerToken("reader-token").service(Watchtower.class).watchSaves()))
        .isEqualTo(ErrorCode.PERMISSION_DENIED);
    assertThat(server.openStreams()).isZero();

    // A writer opens the guarded stream; its response headers carry what the interceptor added.
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    Collector writer = new Collector();
    client.withBearerToken("writer-token").service(Watchtower.class).watchSaves().subscribe(writer);
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<TaskOuterClass.Task> reader =
        context.call(
            () ->
                stub.withInterceptors(
                        bearer("reader-token"),
                        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                    .watchTasks(TaskOuterClass.WatchTasksRequest.getDefaultInstance()));
    awaitOpenStreams(server, 2);
    client
        .withBearerToken("writer-token")
        .service(TaskService.DESCRIPTOR)
        .put(new Task(8, "eight"));
    assertThat(take(reader, 1)).containsExactly(task(8, "eight"));
    assertThat(headers.get().get(Metadata.Key.of("x-served-by", Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo("ipc-grpc");
    await(() -> writer.values.size() == 1, "the writer's stream got the save");
    assertThat(writer.values).containsExactly(new Task(8, "eight"));
    context.cancel(null);
    writer.subscription.get().cancel();
    awaitOpenStreams(server, 0);
  }

  @Test
  @Interop
  void python_aBadTokenIsRefusedBeforeAnyValue(@TempDir Path stubs) throws Exception {
    Server server = serve(List.of(Reference.tasks()), b -> b.authenticate(TOKENS::get));
    Python.shippedStubs(stubs, "task.proto");
    Result python = Python.run(watchClient(server, "1", "--token", "not-a-token"), stubs);
    assertThat(python.exit()).as(python.output()).isZero();
    assertThat(python.output()).contains("error: UNAUTHENTICATED").doesNotContain("task:");
  }

  @Test
  @Interop
  void python_getsSavedTasksInOrder_filtered_andCancelEndsTheStream(@TempDir Path stubs)
      throws Exception {
    Python.shippedStubs(stubs, "task.proto");
    Server server = resources.serve();
    Python.Running all = Python.start(watchClient(server, "4"), stubs);
    Python.Running ranged =
        Python.start(watchClient(server, "2", "--from", "5", "--to", "6"), stubs);
    awaitOpenStreams(server, 2);
    TaskService tasks = client(server).service(TaskService.DESCRIPTOR);
    for (long id = 4; id <= 7; id++) {
      tasks.put(new Task(id, "saved " + id));
    }

    Result allResult = all.await();
    assertThat(allResult.exit()).as(allResult.output()).isZero();
    assertThat(allResult.output())
        .contains(
            "task: 4 saved 4\ntask: 5 saved 5\ntask: 6 saved 6\ntask: 7 saved 7\nended: CANCELLED");
    Result rangedResult = ranged.await();
    assertThat(rangedResult.exit()).as(rangedResult.output()).isZero();
    assertThat(rangedResult.output())
        .contains("task: 5 saved 5\ntask: 6 saved 6\nended: CANCELLED");
    awaitOpenStreams(server, 0);
  }

  @Test
  @Interop
  void python_lastEventId_resumes(@TempDir Path stubs) throws Exception {
    Python.shippedStubs(stubs, "task.proto");
    Server server = resources.serve();
    TaskService tasks = client(server).service(TaskService.DESCRIPTOR);
    for (long id = 4; id <= 6; id++) {
      tasks.put(new Task(id, "missed " + id));
    }
    Python.Running resumed = Python.start(watchClient(server, "3", "--last-event-id", "1"), stubs);
    awaitOpenStreams(server, 1);
    tasks.put(new Task(7, "live 7"));
    Result result = resumed.await();
    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("task: 5 missed 5\ntask: 6 missed 6\ntask: 7 live 7\nended: CANCELLED");
    awaitOpenStreams(server, 0);
  }

  private static List<String> watchClient(Server server, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                PYTHON,
                Path.of("src/test/python/watch_client.py").toAbsolutePath().toString(),
                "127.0.0.1",
                String.valueOf(server.port("grpc"))));
    command.addAll(List.of(args));
    return command;
  }

  private static io.grpc.ClientInterceptor bearer(String token) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(m);
  }

  /** Subscribes and returns the code of the error the stream ends with. */
  private static ErrorCode refusal(Flow.Publisher<Task> stream) throws Exception {
    Collector c = new Collector();
    stream.subscribe(c);
    Throwable error = c.done.handle((ok, e) -> e).get(20, TimeUnit.SECONDS);
    assertThat(error).as("the stream's end").isInstanceOf(ServiceException.class);
    assertThat(c.values).isEmpty();
    return ((ServiceException) error).code();
  }

  private static <T> List<T> take(Iterator<T> values, int n) {
    List<T> taken = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      taken.add(values.next());
    }
    return taken;
  }

  private static List<Long> ids(int n) {
    List<Long> ids = new ArrayList<>();
    for (long id = 1; id <= n; id++) {
      ids.add(id);
    }
    return ids;
  }

  private static void awaitOpenStreams(Server server, int n) throws InterruptedException {
    await(() -> server.openStreams() == n, "open streams " + n);
    assertThat(server.openStreams()).as("open streams").isEqualTo(n);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("waited 30 s for: " + what);
      }
      Thread.sleep(5);
    }
  }

  /** A subscriber that asks for everything and records it. */
  private static final class Collector implements Flow.Subscriber<Task> {
    final List<Task> values = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.set(s);
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Task item) {
      values.add(item);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }
  }
}
