package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Metadata;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportContext;
import graphql.ExecutionResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Subscriptions in the engine, against a real core server (its executor, authentication, stream
 * buffers and counts) without a wire: the field opens the stream, events are results of the
 * selection, refusals are errors before anything streams, and cancelling releases the stream.
 */
@Timeout(60)
class GraphqlSubscriptionEngineTest {
  private static final String WATCH = "subscription { taskSaved { id name } }";

  /** A transport that only keeps its context, so the test drives the engine as a wire would. */
  static final class ContextTransport implements Transport {
    volatile TransportContext context;

    @Override
    public String name() {
      return "graphql";
    }

    @Override
    public String address() {
      return "127.0.0.1:0";
    }

    @Override
    public RunningTransport start(TransportContext ctx) {
      this.context = ctx;
      return new RunningTransport() {
        @Override
        public InetSocketAddress localAddress() {
          return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public void beginShutdown() {}

        @Override
        public boolean awaitTermination(Duration timeout) {
          return true;
        }

        @Override
        public void shutdownNow() {}
      };
    }
  }

  /** Collects results, asking for all of them. */
  static final class Results implements Flow.Subscriber<ExecutionResult> {
    final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ExecutionResult item) {
      events.add(GraphqlEngine.event(item));
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    void await(int n) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (events.size() < n && !done.isDone() && System.nanoTime() < end) {
        Thread.sleep(5);
      }
      assertThat(events).hasSizeGreaterThanOrEqualTo(n);
    }
  }

  private Server server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private GraphqlEngine start(Transports.Builder builder) {
    ContextTransport transport = new ContextTransport();
    server = builder.services(Reference.services()).transport(transport).start();
    return new GraphqlEngine(
        transport.context.services(), new GraphqlEngine.Limits(15, 500, 15_000, 30, true, 10));
  }

  private static void awaitOpenStreams(Server server, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (server.openStreams() != n && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(server.openStreams()).isEqualTo(n);
  }

  private static CallSource source(String... headers) {
    return CallSource.of(CallHeaders.TRANSPORT, null, Metadata.of(headers));
  }

  @Test
  void subscription_streamsEachSavedTaskAsAResultOfTheSelection() throws Exception {
    GraphqlEngine engine = start(Transports.builder());
    GraphqlEngine.Result result =
        engine.execute(
            new GraphqlEngine.Request(
                "subscription($from: Long) { taskSaved(fromId: $from) { name } }",
                null,
                Map.of("from", 2)),
            GraphqlEngine.Allowed.ALL,
            source());
    assertThat(result.subscription()).isTrue();
    assertThat(result.stream()).isNotNull();
    Results results = new Results();
    result.stream().subscribe(results);
    awaitOpenStreams(server, 1);

    for (String put : List.of("1, name: \"one\"", "2, name: \"two\"", "3, name: \"three\"")) {
      GraphqlEngine.Result saved =
          engine.execute(
              new GraphqlEngine.Request(
                  "mutation { putTask(id: " + put + ") { id } }", null, Map.of()),
              false,
              source());
      assertThat(saved.status()).isEqualTo(200);
    }
    results.await(2);
    assertThat(results.events)
        .containsExactly(
            Map.of("data", Map.of("taskSaved", Map.of("name", "two"))),
            Map.of("data", Map.of("taskSaved", Map.of("name", "three"))));

    results.subscription.cancel();
    awaitOpenStreams(server, 0);
    assertThat(results.done).isNotDone();
  }

  @Test
  void subscription_overAPlainPostIsRefusedBeforeAnythingRuns() throws Exception {
    GraphqlEngine engine = start(Transports.builder());
    GraphqlEngine.Result result =
        engine.execute(new GraphqlEngine.Request(WATCH, null, Map.of()), false, source());
    assertThat(result.status()).isEqualTo(400);
    assertThat(result.stream()).isNull();
    assertThat(result.body().toString())
        .contains("graphql-transport-ws")
        .contains("text/event-stream");
    assertThat(server.openStreams()).isZero();
  }

  @Test
  void subscription_refusedTokenIsAnErrorAndOpensNothing() throws Exception {
    GraphqlEngine engine =
        start(
            Transports.builder()
                .authenticate(t -> t.equals("good") ? Principal.of("ann", "reader") : null));
    GraphqlEngine.Result refused =
        engine.execute(
            new GraphqlEngine.Request(WATCH, null, Map.of()),
            GraphqlEngine.Allowed.ALL,
            source("authorization", "Bearer bad"));
    assertThat(refused.stream()).isNull();
    assertThat(refused.subscription()).isTrue();
    assertThat(refused.body().get("errors").toString()).contains("code=UNAUTHENTICATED");
    assertThat(server.openStreams()).isZero();

    GraphqlEngine.Result admitted =
        engine.execute(
            new GraphqlEngine.Request(WATCH, null, Map.of()),
            GraphqlEngine.Allowed.ALL,
            source("authorization", "Bearer good"));
    Results results = new Results();
    admitted.stream().subscribe(results);
    awaitOpenStreams(server, 1);
    server.close();
    results.done.get(20, TimeUnit.SECONDS);
    assertThat(server.openStreams()).isZero();
  }

  @Test
  void introspection_namesTheSubscriptionType() throws Exception {
    GraphqlEngine engine = start(Transports.builder());
    GraphqlEngine.Result result =
        engine.execute(
            new GraphqlEngine.Request(
                "{ __schema { subscriptionType { name fields { name type { kind ofType { name } } } } } }",
                null,
                Map.of()),
            false,
            source());
    assertThat(result.body().toString())
        .contains(
            "subscriptionType={name=Subscription, fields=[{name=taskSaved, type={kind=NON_NULL, ofType={name=Task}}}]}");
    assertThat(GraphqlClient.document(TaskService.DESCRIPTOR.operation("watchTasks")))
        .isEqualTo(
            "subscription($fromId: Long, $toId: Long) { taskSaved(fromId: $fromId, toId: $toId) { id name } }");
  }
}
