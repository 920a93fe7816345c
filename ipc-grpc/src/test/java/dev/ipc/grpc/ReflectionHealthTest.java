package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import dev.ipc.core.Server;
import dev.ipc.core.testing.MemoryLibrary;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Server reflection (v1) and the standard health service, through their own stubs. */
@Timeout(60)
class ReflectionHealthTest {
  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  @Test
  void health_goesNotServingAtClose_whileCallsAreStillServed() throws Exception {
    Server server =
        dev.ipc.core.Transports.builder()
            .services(dev.ipc.core.Reference.services())
            .transport(GrpcTransport.builder().host("127.0.0.1").port(0).build())
            .readinessDelay(java.time.Duration.ofSeconds(5))
            .start();
    ManagedChannel channel = resources.channel(server);
    var health = io.grpc.health.v1.HealthGrpc.newBlockingStub(channel);
    var request =
        io.grpc.health.v1.HealthCheckRequest.newBuilder().setService("task.Tasks").build();
    assertThat(health.check(request).getStatus())
        .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    java.util.concurrent.CompletableFuture<Void> closing =
        java.util.concurrent.CompletableFuture.runAsync(server::close);
    while (health.check(request).getStatus()
        == io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING) {
      Thread.onSpinWait();
    }
    assertThat(health.check(request).getStatus())
        .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
    // Not serving for new traffic, yet a call sent meanwhile is answered.
    assertThat(
            task.TasksGrpc.newBlockingStub(channel)
                .getTask(task.TaskOuterClass.GetTaskRequest.newBuilder().setId(1).build())
                .getName())
        .isEqualTo("task1");
    closing.get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void reflection_canBeTurnedOff_healthAndServicesStay() throws Exception {
    Server server =
        resources.serve(
            dev.ipc.core.Reference.services(),
            GrpcTransport.builder()
                .host("127.0.0.1")
                .port(0)
                .options(java.util.Map.of("reflection", "false"))
                .build());
    ManagedChannel channel = resources.channel(server);
    BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    ServerReflectionGrpc.newStub(channel)
        .serverReflectionInfo(collect(answers))
        .onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    Object answer = answers.poll(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(answer)
        .isInstanceOfSatisfying(
            io.grpc.StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNIMPLEMENTED));
    assertThat(
            io.grpc.health.v1.HealthGrpc.newBlockingStub(channel)
                .check(
                    io.grpc.health.v1.HealthCheckRequest.newBuilder()
                        .setService("task.Tasks")
                        .build())
                .getStatus())
        .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void reflection_listsEveryServiceAndResolvesItsDescriptors() throws Exception {
    ManagedChannel channel = resources.channel(resources.serve());
    BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel).serverReflectionInfo(collect(answers));

    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    assertThat(next(answers).getListServicesResponse().getServiceList())
        .extracting(ServiceResponse::getName)
        .contains(
            "date.Dating",
            "task.Tasks",
            "person.People",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection");

    FileDescriptor dating = resolve(requests, answers, "date.Dating");
    MethodDescriptor eating = dating.findServiceByName("Dating").findMethodByName("Eating");
    assertThat(eating.getInputType().getFullName()).isEqualTo("date.Eat");
    assertThat(eating.getOutputType().findFieldByName("feeling").getNumber()).isEqualTo(1);
    assertThat(
            dating
                .findServiceByName("Dating")
                .findMethodByName("WatchMovie")
                .getInputType()
                .getFullName())
        .isEqualTo("date.Movie");

    FileDescriptor tasks = resolve(requests, answers, "task.Tasks.ListTasks");
    assertThat(
            tasks
                .findMessageTypeByName("ListTasksResponse")
                .findFieldByName("tasks")
                .getMessageType()
                .getFullName())
        .isEqualTo("task.Task");
    FileDescriptor person = resolve(requests, answers, "person.Person");
    assertThat(person.findMessageTypeByName("Person").findFieldByName("hobby").isRepeated())
        .isTrue();

    requests.onNext(ServerReflectionRequest.newBuilder().setFileByFilename("task.proto").build());
    FileDescriptorProto taskFile =
        FileDescriptorProto.parseFrom(
            next(answers).getFileDescriptorResponse().getFileDescriptorProto(0));
    assertThat(taskFile.getService(0).getMethodList())
        .extracting(m -> m.getName(), m -> m.getServerStreaming())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ListTasks", false),
            org.assertj.core.groups.Tuple.tuple("GetTask", false),
            org.assertj.core.groups.Tuple.tuple("PutTask", false),
            org.assertj.core.groups.Tuple.tuple("WatchTasks", true));
    MethodDescriptor watch =
        FileDescriptor.buildFrom(taskFile, new FileDescriptor[0])
            .findServiceByName("Tasks")
            .findMethodByName("WatchTasks");
    assertThat(watch.getInputType().findFieldByName("fromId").hasPresence()).isTrue();
    assertThat(watch.getOutputType().getFullName()).isEqualTo("task.Task");
    requests.onCompleted();
  }

  @Test
  void reflection_servesADerivedService_withTheWellKnownTypesItImports() throws Exception {
    ManagedChannel channel = resources.channel(resources.serve(List.of(new MemoryLibrary())));
    BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel).serverReflectionInfo(collect(answers));
    requests.onNext(
        ServerReflectionRequest.newBuilder().setFileContainingSymbol("library.Library").build());
    ServerReflectionResponse response = next(answers);
    assertThat(response.hasErrorResponse()).as(response.getErrorResponse().toString()).isFalse();
    Map<String, FileDescriptorProto> files = new LinkedHashMap<>();
    for (com.google.protobuf.ByteString bytes :
        response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
      files.put(file.getName(), file);
    }
    assertThat(files)
        .containsKeys(
            "library.proto", "google/protobuf/timestamp.proto", "google/protobuf/duration.proto");
    FileDescriptor timestamp =
        FileDescriptor.buildFrom(
            files.get("google/protobuf/timestamp.proto"), new FileDescriptor[0]);
    FileDescriptor duration =
        FileDescriptor.buildFrom(
            files.get("google/protobuf/duration.proto"), new FileDescriptor[0]);
    FileDescriptor library =
        FileDescriptor.buildFrom(
            files.get("library.proto"), new FileDescriptor[] {duration, timestamp});
    MethodDescriptor search = library.findServiceByName("Library").findMethodByName("Search");
    assertThat(search.getInputType().findFieldByName("genre").getEnumType().getFullName())
        .isEqualTo("library.Genre");
    assertThat(search.getOutputType().getFullName()).isEqualTo("library.SearchResponse");
    Descriptor book = library.findMessageTypeByName("Book");
    assertThat(book.findFieldByName("published").getMessageType().getFullName())
        .isEqualTo("google.protobuf.Timestamp");
    assertThat(book.findFieldByName("props").isMapField()).isTrue();
    assertThat(book.findFieldByName("isbn").toProto().getProto3Optional()).isTrue();
    assertThat(
            library
                .findMessageTypeByName("Edition")
                .findFieldByName("readingTime")
                .getMessageType()
                .getFullName())
        .isEqualTo("google.protobuf.Duration");
    requests.onCompleted();
  }

  private static StreamObserver<ServerReflectionResponse> collect(BlockingQueue<Object> answers) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ServerReflectionResponse value) {
        answers.add(value);
      }

      @Override
      public void onError(Throwable t) {
        answers.add(t);
      }

      @Override
      public void onCompleted() {}
    };
  }

  @Test
  void health_servingWhileUp_notServingOnceCloseBegins() throws Exception {
    Server server = resources.serve();
    ManagedChannel channel = resources.channel(server);
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    for (String service : List.of("", "date.Dating", "task.Tasks", "person.People")) {
      assertThat(
              health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
          .as(service)
          .isEqualTo(ServingStatus.SERVING);
    }

    BlockingQueue<ServingStatus> watched = Resources.watchHealth(channel, "date.Dating");
    assertThat(watched.poll(20, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    assertThat(watched.poll(20, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);
    closing.get(20, TimeUnit.SECONDS);
  }

  private static FileDescriptor resolve(
      StreamObserver<ServerReflectionRequest> requests,
      BlockingQueue<Object> answers,
      String symbol)
      throws Exception {
    requests.onNext(ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build());
    ServerReflectionResponse response = next(answers);
    assertThat(response.hasErrorResponse())
        .as(symbol + ": " + response.getErrorResponse())
        .isFalse();
    FileDescriptorProto proto =
        FileDescriptorProto.parseFrom(
            response.getFileDescriptorResponse().getFileDescriptorProto(0));
    assertThat(proto.getSyntax()).isEqualTo("proto3");
    return FileDescriptor.buildFrom(proto, new FileDescriptor[0]);
  }

  private static ServerReflectionResponse next(BlockingQueue<Object> answers)
      throws InterruptedException {
    Object answer = answers.poll(20, TimeUnit.SECONDS);
    assertThat(answer).isInstanceOf(ServerReflectionResponse.class);
    return (ServerReflectionResponse) answer;
  }
}
