package dev.ipc.grpc;

import static dev.ipc.grpc.Python.PYTHON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.CallContext;
import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Feel;
import dev.ipc.core.Metadata;
import dev.ipc.core.Movie;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Tls;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import dev.ipc.core.testing.TestCertificates;
import dev.ipc.grpc.Python.Result;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import task.TaskOuterClass;
import task.TasksGrpc;

/**
 * Issue 17 over gRPC, against real servers: bearer tokens and roles with our client, grpc-java and
 * Python grpcio; the call context a service sees; response metadata as response headers; TLS and
 * mutual TLS.
 */
@Timeout(120)
class GrpcSecurityTest {
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

  /**
   * Starts {@code services} on 127.0.0.1:0 with {@link #TOKENS}, an interceptor adding x-served-by,
   * and {@code tls}.
   */
  private Server serve(List<?> services, Tls tls) {
    Transports.Builder b =
        Transports.builder()
            .services(services)
            .transport(GrpcTransport.builder().host("127.0.0.1").port(0).build())
            .authenticate(TOKENS::get)
            .interceptor(
                (context, request, next) -> {
                  context.responseMetadata().add("x-served-by", "ipc-" + context.transport());
                  return next.proceed(request);
                });
    if (tls != null) {
      b.tls(tls);
    }
    Server server = b.start();
    resources.add(server);
    return server;
  }

  @Test
  void deadlinePassingMidCall_interruptsTheService() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch interrupted = new java.util.concurrent.CountDownLatch(1);
    DatingService stuck =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            entered.countDown();
            try {
              new java.util.concurrent.CountDownLatch(1).await();
            } catch (InterruptedException e) {
              interrupted.countDown();
              Thread.currentThread().interrupt();
            }
            return new Feel(false);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return new Feel(true);
          }
        };
    Server server = serve(List.of(stuck), null);
    date.DatingGrpc.DatingBlockingStub dating =
        date.DatingGrpc.newBlockingStub(resources.channel(server))
            .withDeadlineAfter(300, TimeUnit.MILLISECONDS);
    assertThatThrownBy(
            () -> dating.eating(date.DatingOuterClass.Eat.newBuilder().setFood("soup").build()))
        .isInstanceOfSatisfying(
            io.grpc.StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    // The server's thread did not wait for ever: the deadline reached the service and stopped it.
    assertThat(interrupted.await(10, TimeUnit.SECONDS))
        .as("service interrupted at the deadline")
        .isTrue();
  }

  @Test
  void javaClient_tokensAndRoles_onPut() {
    TaskService tasks = Reference.tasks();
    Server server = serve(List.of(tasks, Reference.dating()), null);
    try (GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"))) {
      TaskService anonymous = client.service(TaskService.DESCRIPTOR);
      TaskService bad = client.withBearerToken("not-a-token").service(TaskService.DESCRIPTOR);
      TaskService reader = client.withBearerToken("reader-token").service(TaskService.DESCRIPTOR);
      TaskService writer = client.withBearerToken("writer-token").service(TaskService.DESCRIPTOR);
      Task hacked = new Task(2, "hacked");

      assertThat(code(() -> anonymous.put(hacked))).isEqualTo(ErrorCode.UNAUTHENTICATED);
      assertThat(code(() -> bad.put(hacked))).isEqualTo(ErrorCode.UNAUTHENTICATED);
      assertThat(code(() -> reader.put(hacked))).isEqualTo(ErrorCode.PERMISSION_DENIED);
      // A presented token must be valid even on a public read.
      assertThat(code(() -> bad.get(2))).isEqualTo(ErrorCode.UNAUTHENTICATED);
      assertThat(code(() -> bad.list())).isEqualTo(ErrorCode.UNAUTHENTICATED);

      // The refused puts changed nothing, seen by the store itself and over the wire; reads are
      // public.
      assertThat(tasks.get(2).name()).isEqualTo("task2");
      assertThat(anonymous.get(2).name()).isEqualTo("task2");
      assertThat(reader.get(2).name()).isEqualTo("task2");
      assertThat(anonymous.list()).hasSize(3);

      assertThat(writer.put(new Task(2, "rewritten")).created()).isFalse();
      assertThat(writer.put(new Task(7, "seven")).created()).isTrue();
      assertThat(tasks.get(2).name()).isEqualTo("rewritten");
      assertThat(anonymous.get(7).name()).isEqualTo("seven");
    }
  }

  @Test
  void grpcJavaStub_refusals_areTheGrpcStatusesOfTheSameName() {
    Server server = serve(Reference.services(), null);
    TasksGrpc.TasksBlockingStub tasks = TasksGrpc.newBlockingStub(resources.channel(server));
    TaskOuterClass.Task hacked =
        TaskOuterClass.Task.newBuilder().setId(2).setName("hacked").build();
    assertThat(status(() -> tasks.putTask(hacked))).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(status(() -> tasks.withInterceptors(bearer("reader-token")).putTask(hacked)))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(
            status(
                () ->
                    tasks
                        .withInterceptors(bearer("nope"))
                        .getTask(TaskOuterClass.GetTaskRequest.newBuilder().setId(2).build())))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(tasks.withInterceptors(bearer("writer-token")).putTask(hacked).getName())
        .isEqualTo("hacked");
  }

  @Test
  @Interop
  void pythonClient_tokensAndRoles_plaintext(@TempDir Path stubs) throws Exception {
    Server server = serve(Reference.services(), null);
    assertPythonCases(stubs, server, null);
  }

  @Test
  @Interop
  void pythonClient_tokensAndRoles_overTls(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Server server = serve(Reference.services(), Tls.fromPem(certs.serverCert(), certs.serverKey()));
    Path stubs = java.nio.file.Files.createDirectories(dir.resolve("stubs"));
    assertPythonCases(stubs, server, certs.ca());
  }

  private void assertPythonCases(Path stubs, Server server, Path ca) throws Exception {
    Python.shippedStubs(stubs, "task.proto");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                PYTHON,
                Path.of("src/test/python/secure_client.py").toAbsolutePath().toString(),
                "127.0.0.1",
                String.valueOf(server.port("grpc")),
                "reader-token",
                "writer-token"));
    if (ca != null) {
      command.add(ca.toString());
    }
    Result client = Python.run(command, stubs);
    assertThat(client.exit()).as(client.output()).isZero();
    assertThat(client.output())
        .contains("no token put: UNAUTHENTICATED")
        .contains("bad token put: UNAUTHENTICATED invalid credentials")
        .contains("bad token get: UNAUTHENTICATED invalid credentials")
        .contains("reader put: PERMISSION_DENIED")
        .contains("anonymous get 2: OK task2")
        .contains("reader get 2: OK task2")
        .contains("anonymous list: OK 3")
        .contains("writer put 9: written created = true x-served-by = ipc-grpc")
        .contains("get 42: NOT_FOUND x-served-by = ipc-grpc")
        .contains("writer get 9: OK written")
        .doesNotContain("reader-token")
        .doesNotContain("writer-token");
  }

  @Test
  void service_seesTheCallContext_peerMetadataPrincipalDeadline() {
    AtomicReference<String> seen = new AtomicReference<>();
    AtomicReference<Instant> deadline = new AtomicReference<>();
    AtomicReference<Metadata> metadata = new AtomicReference<>();
    DatingService dating =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            CallContext c = CallContext.current();
            seen.set(
                c.transport()
                    + " "
                    + c.operation().name()
                    + " "
                    + c.peer().getAddress().getHostAddress()
                    + " "
                    + (c.principal() == null ? "anonymous" : c.principal().name())
                    + " "
                    + c.metadata().get("x-tenant")
                    + " "
                    + c.peerCertificates().size());
            deadline.set(c.deadline().orElse(null));
            metadata.set(c.metadata());
            return new Feel(true);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return new Feel(true);
          }
        };
    Server server = serve(List.of(dating), null);
    Instant before = Instant.now();
    try (GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"))) {
      client
          .withBearerToken("reader-token")
          .withMetadata(Metadata.of("X-Tenant", "acme"))
          .service(DatingService.DESCRIPTOR)
          .eating(new Eat("steak"));
    }
    assertThat(seen.get()).isEqualTo("grpc eating 127.0.0.1 rita acme 0");
    // The client's 30-second deadline reached the service.
    assertThat(deadline.get())
        .isAfter(before)
        .isBefore(before.plus(GrpcClient.DEFAULT_TIMEOUT).plusSeconds(5));
    // Only application metadata: not gRPC's own keys nor HTTP/2 framing.
    assertThat(metadata.get().names())
        .contains("x-tenant", "authorization")
        .noneMatch(n -> n.startsWith("grpc-"));
    assertThat(metadata.get().names()).doesNotContain("te", "content-type");
  }

  @Test
  void interceptorResponseMetadata_arrivesAsResponseHeaders_andWithAFailure() {
    Server server = serve(Reference.services(), null);
    AtomicReference<io.grpc.Metadata> headers = new AtomicReference<>();
    AtomicReference<io.grpc.Metadata> trailers = new AtomicReference<>();
    ClientInterceptor capture =
        new ClientInterceptor() {
          @Override
          public <Q, A> ClientCall<Q, A> interceptCall(
              MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
            return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
              @Override
              public void start(Listener<A> listener, io.grpc.Metadata requestHeaders) {
                super.start(
                    new SimpleForwardingClientCallListener<>(listener) {
                      @Override
                      public void onHeaders(io.grpc.Metadata h) {
                        headers.set(h);
                        super.onHeaders(h);
                      }

                      @Override
                      public void onClose(Status status, io.grpc.Metadata t) {
                        trailers.set(t);
                        super.onClose(status, t);
                      }
                    },
                    requestHeaders);
              }
            };
          }
        };
    TasksGrpc.TasksBlockingStub tasks =
        TasksGrpc.newBlockingStub(resources.channel(server)).withInterceptors(capture);
    io.grpc.Metadata.Key<String> servedBy =
        io.grpc.Metadata.Key.of("x-served-by", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

    assertThat(tasks.getTask(TaskOuterClass.GetTaskRequest.newBuilder().setId(1).build()).getName())
        .isEqualTo("task1");
    assertThat(headers.get().get(servedBy)).isEqualTo("ipc-grpc");
    assertThat(trailers.get().get(servedBy)).isNull();

    headers.set(null);
    assertThat(
            status(
                () -> tasks.getTask(TaskOuterClass.GetTaskRequest.newBuilder().setId(42).build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    // A failure is trailers-only: the metadata comes with the status.
    assertThat(headers.get()).isNull();
    assertThat(trailers.get().get(servedBy)).isEqualTo("ipc-grpc");
  }

  @Test
  void tls_javaClientWithCa_healthAndReflection_andAPlaintextClientIsRefused(@TempDir Path dir)
      throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Server server = serve(Reference.services(), Tls.fromPem(certs.serverCert(), certs.serverKey()));
    int port = server.port("grpc");

    // Plaintext against the TLS port: refused at once (UNAVAILABLE), not left to its deadline.
    ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    resources.add(() -> plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    assertThat(
            status(
                () ->
                    TasksGrpc.newBlockingStub(plain)
                        .withDeadlineAfter(60, TimeUnit.SECONDS)
                        .listTasks(TaskOuterClass.ListTasksRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.UNAVAILABLE);
    try (GrpcClient plainClient = GrpcClient.of("127.0.0.1", port)) {
      assertThatThrownBy(() -> plainClient.service(TaskService.DESCRIPTOR).list())
          .isInstanceOf(TransportException.class);
    }

    // The server keeps serving TLS clients: ours through the URI, grpc-java's health and
    // reflection.
    try (Client client =
        Transports.connect("grpc://127.0.0.1:" + port + "?ca=" + certs.ca() + "&timeout=20s")) {
      assertThat(client).isInstanceOf(GrpcClient.class);
      assertThat(client.service(TaskService.DESCRIPTOR).list()).hasSize(3);
      assertThat(
              client
                  .withBearerToken("writer-token")
                  .service(TaskService.DESCRIPTOR)
                  .put(new Task(4, "four"))
                  .created())
          .isTrue();
    }
    ManagedChannel tls =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .sslContext(GrpcSslContexts.forClient().trustManager(certs.ca().toFile()).build())
            .build();
    resources.add(() -> tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    assertThat(
            HealthGrpc.newBlockingStub(tls)
                .check(HealthCheckRequest.newBuilder().setService("task.Tasks").build())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(reflectedServices(tls)).contains("task.Tasks", "grpc.health.v1.Health");
  }

  @Test
  void tls_aClientTrustingAnotherCa_isRefused(@TempDir Path dir) throws Exception {
    TestCertificates certs =
        TestCertificates.create(java.nio.file.Files.createDirectories(dir.resolve("server")));
    TestCertificates other =
        TestCertificates.create(java.nio.file.Files.createDirectories(dir.resolve("other")));
    Server server = serve(Reference.services(), Tls.fromPem(certs.serverCert(), certs.serverKey()));
    try (GrpcClient client =
        GrpcClient.builder().target("127.0.0.1", server.port("grpc")).ca(other.ca()).build()) {
      assertThatThrownBy(() -> client.service(TaskService.DESCRIPTOR).list())
          .isInstanceOf(TransportException.class);
    }
  }

  @Test
  void mutualTls_require_servesAClientCertificate_andRefusesNone(@TempDir Path dir)
      throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    AtomicReference<List<X509Certificate>> chain = new AtomicReference<>();
    AtomicInteger calls = new AtomicInteger();
    Server server =
        serve(
            List.of(certificateDating(chain, calls)),
            Tls.fromPem(certs.serverCert(), certs.serverKey())
                .withClientCa(certs.ca(), Tls.ClientAuth.REQUIRE));
    int port = server.port("grpc");

    try (GrpcClient client =
        GrpcClient.builder()
            .target("127.0.0.1", port)
            .ca(certs.ca())
            .cert(certs.clientCert())
            .key(certs.clientKey())
            .build()) {
      assertThat(client.service(DatingService.DESCRIPTOR).eating(new Eat("steak")))
          .isEqualTo(new Feel(true));
    }
    assertThat(chain.get()).isNotEmpty();
    assertThat(chain.get().get(0).getSubjectX500Principal().getName()).contains("CN=test client");

    try (GrpcClient anonymous =
        GrpcClient.builder().target("127.0.0.1", port).ca(certs.ca()).build()) {
      assertThatThrownBy(() -> anonymous.service(DatingService.DESCRIPTOR).eating(new Eat("steak")))
          .isInstanceOf(TransportException.class);
    }
    assertThat(calls).hasValue(1);

    // Through the URI options too.
    try (Client client =
        Transports.connect(
            "grpc://127.0.0.1:"
                + port
                + "?ca="
                + certs.ca()
                + "&cert="
                + certs.clientCert()
                + "&key="
                + certs.clientKey())) {
      assertThat(client.service(DatingService.DESCRIPTOR).eating(new Eat("fish")))
          .isEqualTo(new Feel(true));
    }
    assertThat(calls).hasValue(2);
  }

  @Test
  void mutualTls_optional_servesBoth_andOnlyTheCertifiedCallerHasAChain(@TempDir Path dir)
      throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    AtomicReference<List<X509Certificate>> chain = new AtomicReference<>();
    AtomicInteger calls = new AtomicInteger();
    Server server =
        serve(
            List.of(certificateDating(chain, calls)),
            Tls.fromPem(certs.serverCert(), certs.serverKey())
                .withClientCa(certs.ca(), Tls.ClientAuth.OPTIONAL));
    int port = server.port("grpc");
    try (GrpcClient anonymous =
        GrpcClient.builder().target("127.0.0.1", port).ca(certs.ca()).build()) {
      anonymous.service(DatingService.DESCRIPTOR).eating(new Eat("steak"));
    }
    assertThat(chain.get()).isEmpty();
    try (GrpcClient client =
        GrpcClient.builder()
            .target("127.0.0.1", port)
            .ca(certs.ca())
            .cert(certs.clientCert())
            .key(certs.clientKey())
            .build()) {
      client.service(DatingService.DESCRIPTOR).eating(new Eat("steak"));
    }
    assertThat(chain.get()).hasSize(1);
  }

  @Test
  void clientOptions_checked() {
    assertThatThrownBy(
            () -> GrpcClient.builder().target("127.0.0.1", 1).cert(Path.of("c.pem")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cert and key");
    assertThatThrownBy(() -> Transports.connect("grpc://127.0.0.1:1?tls=false&ca=/x/ca.pem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls: false");
    assertThatThrownBy(() -> Transports.connect("grpc://127.0.0.1:1?tls=maybe"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls: maybe");
    assertThatThrownBy(() -> Transports.connect("grpc://127.0.0.1:1?ca=/no/such/ca.pem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/no/such/ca.pem");
    // tls=true alone trusts the JDK's CAs; it connects lazily, so building succeeds.
    Transports.connect("grpc://127.0.0.1:1?tls=true").close();
  }

  @Test
  void clientMetadata_thatGrpcCannotCarryAsText_isRefusedBeforeSending() {
    Server server = serve(Reference.services(), null);
    try (GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"))) {
      assertThatThrownBy(
              () ->
                  client
                      .withMetadata(Metadata.of("trace-bin", "x"))
                      .service(TaskService.DESCRIPTOR)
                      .list())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("trace-bin");
      assertThatThrownBy(
              () ->
                  client
                      .withMetadata(Metadata.of("x-secret", "line\nbreak"))
                      .service(TaskService.DESCRIPTOR)
                      .list())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("x-secret")
          .hasMessageNotContaining("line");
      assertThat(
              client
                  .withMetadata(Metadata.of("x-fine", "ok"))
                  .service(TaskService.DESCRIPTOR)
                  .list())
          .hasSize(3);
    }
  }

  @Test
  void withoutAuthentication_putIsOpenAsBefore_andTokensAreIgnored() {
    Server server = resources.serve();
    try (GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"))) {
      assertThat(client.service(TaskService.DESCRIPTOR).put(new Task(2, "open")).value().name())
          .isEqualTo("open");
      assertThat(client.withBearerToken("anything").service(TaskService.DESCRIPTOR).get(2).name())
          .isEqualTo("open");
    }
  }

  private static DatingService certificateDating(
      AtomicReference<List<X509Certificate>> chain, AtomicInteger calls) {
    return new DatingService() {
      @Override
      public Feel eating(Eat eat) {
        calls.incrementAndGet();
        chain.set(CallContext.current().peerCertificates());
        return new Feel(true);
      }

      @Override
      public Feel watchMovie(Movie movie) {
        return new Feel(true);
      }
    };
  }

  private static ClientInterceptor bearer(String token) {
    io.grpc.Metadata m = new io.grpc.Metadata();
    m.put(
        io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + token);
    return io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(m);
  }

  private static ErrorCode code(Runnable call) {
    try {
      call.run();
    } catch (ServiceException e) {
      return e.code();
    }
    throw new AssertionError("expected a ServiceException");
  }

  private static Status.Code status(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("expected a StatusRuntimeException");
  }

  private static List<String> reflectedServices(Channel channel) throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    answer.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> names =
        answer.get(30, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
            .map(ServiceResponse::getName)
            .toList();
    requests.onCompleted();
    return names;
  }
}
