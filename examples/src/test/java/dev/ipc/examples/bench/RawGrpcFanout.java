package dev.ipc.examples.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gRPC baseline of the fan-out benchmark, written as a grpc-java user would without ipc: a
 * {@link ServerServiceDefinition} with byte[] marshallers and Task hand-encoded as protobuf {@code
 * {int64 id = 1; string name = 2;}}; a unary {@code PutTask} that stores the task and hands it to
 * every {@code WatchTasks} stream; each stream writes while {@code isReady()} and queues the rest
 * for its on-ready handler, ending a subscriber more than {@code buffer} values behind with
 * RESOURCE_EXHAUSTED (what ipc's stream buffer does). Clients are plain channels and {@link
 * ClientCalls}.
 */
final class RawGrpcFanout implements FanoutSide {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value); // grpc-java reads its length without copying
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
  private static final MethodDescriptor<byte[], byte[]> PUT =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("task.Tasks/PutTask")
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();
  private static final MethodDescriptor<byte[], byte[]> WATCH =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .setFullMethodName("task.Tasks/WatchTasks")
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();

  private final int buffer;
  private final Server server;
  private final List<Stream> streams = new CopyOnWriteArrayList<>();
  private final Map<Long, byte[]> tasks = new ConcurrentHashMap<>();
  private final AtomicLong endedBehind = new AtomicLong();
  private final ManagedChannel publisher;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<ClientCall<byte[], byte[]>> calls = new ArrayList<>();

  RawGrpcFanout(int buffer) throws IOException {
    this.buffer = buffer;
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("task.Tasks")
            .addMethod(PUT, ServerCalls.asyncUnaryCall(this::put))
            .addMethod(WATCH, ServerCalls.asyncServerStreamingCall(this::watch))
            .build();
    // grpc-java's defaults, as a user starts it: its cached thread pool runs the handlers.
    this.server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(service)
            .build()
            .start();
    this.publisher = channel();
  }

  private ManagedChannel channel() {
    return Grpc.newChannelBuilderForAddress(
            "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
        .build();
  }

  private void put(byte[] task, StreamObserver<byte[]> response) {
    tasks.put(id(task), task);
    for (Stream s : streams) {
      s.send(task);
    }
    response.onNext(task);
    response.onCompleted();
  }

  private void watch(byte[] request, StreamObserver<byte[]> response) {
    ServerCallStreamObserver<byte[]> call = (ServerCallStreamObserver<byte[]>) response;
    Stream s = new Stream(call);
    call.setOnReadyHandler(s::drain);
    call.setOnCancelHandler(() -> streams.remove(s));
    streams.add(s);
  }

  /** One subscriber's stream: written while ready, the rest queued for its on-ready handler. */
  private final class Stream {
    private final ServerCallStreamObserver<byte[]> call;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean ended;

    Stream(ServerCallStreamObserver<byte[]> call) {
      this.call = call;
    }

    synchronized void send(byte[] task) {
      if (ended) {
        return;
      }
      if (queue.isEmpty() && call.isReady()) {
        call.onNext(task);
      } else if (queue.size() < buffer) {
        queue.add(task);
      } else {
        ended = true;
        streams.remove(this);
        endedBehind.incrementAndGet();
        call.onError(Status.RESOURCE_EXHAUSTED.withDescription("fell behind").asRuntimeException());
      }
    }

    synchronized void drain() {
      while (!ended && !queue.isEmpty() && call.isReady()) {
        call.onNext(queue.poll());
      }
    }
  }

  @Override
  public String name() {
    return "grpc-java";
  }

  @Override
  public void subscribe(FanoutRecorder recorder) {
    int n = recorder.subscribers();
    for (int i = 0; i < FanoutBenchmark.clients("grpc", n); i++) {
      channels.add(channel());
    }
    for (int i = 0; i < n; i++) {
      int index = i;
      ClientCall<byte[], byte[]> call =
          channels.get(i % channels.size()).newCall(WATCH, CallOptions.DEFAULT);
      calls.add(call);
      ClientCalls.asyncServerStreamingCall(
          call,
          new byte[0],
          new StreamObserver<>() {
            @Override
            public void onNext(byte[] task) {
              recorder.onValue(index, name(task));
            }

            @Override
            public void onError(Throwable t) {
              if (Status.fromThrowable(t).getCode() != Status.Code.CANCELLED) {
                recorder.onError(t);
              }
            }

            @Override
            public void onCompleted() {}
          });
    }
  }

  @Override
  public void unsubscribe() throws InterruptedException {
    for (ClientCall<byte[], byte[]> call : calls) {
      call.cancel("benchmark case over", null);
    }
    calls.clear();
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    channels.clear();
  }

  @Override
  public void put(long id, String name) {
    ClientCalls.blockingUnaryCall(publisher, PUT, CallOptions.DEFAULT, encode(id, name));
  }

  @Override
  public long endedBehind() {
    return endedBehind.get();
  }

  @Override
  public void close() throws InterruptedException {
    unsubscribe();
    publisher.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  static byte[] encode(long id, String name) {
    byte[] out =
        new byte
            [CodedOutputStream.computeInt64Size(1, id)
                + CodedOutputStream.computeStringSize(2, name)];
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    try {
      c.writeInt64(1, id);
      c.writeString(2, name);
      c.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static long id(byte[] task) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(task);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == 8) {
          return in.readInt64();
        }
        in.skipField(tag);
      }
      return 0;
    } catch (IOException e) {
      throw Status.INVALID_ARGUMENT.withDescription("not a Task").asRuntimeException();
    }
  }

  private static String name(byte[] task) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(task);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == 18) {
          return in.readStringRequireUtf8();
        }
        in.skipField(tag);
      }
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
