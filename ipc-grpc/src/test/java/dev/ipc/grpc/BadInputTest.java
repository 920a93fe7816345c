package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import date.DatingGrpc;
import date.DatingOuterClass;
import dev.ipc.core.Server;
import dev.ipc.core.testing.MemoryLibrary;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad bytes on the wire: each gets its proper status or a closed connection, and serving goes on.
 */
@Timeout(60)
class BadInputTest {
  private final Resources resources = new Resources();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    server = resources.serve();
    channel = resources.channel(server);
  }

  @AfterEach
  void close() throws Exception {
    try {
      // Whatever came before, the next good call still works.
      assertGoodCall();
    } finally {
      resources.close();
    }
  }

  @Test
  void garbageBytes_closeTheConnection() throws IOException {
    byte[] garbage = new byte[256];
    for (int i = 0; i < garbage.length; i++) {
      garbage[i] = (byte) (i * 31 + 7);
    }
    assertThat(exchange(garbage)).isTrue();
  }

  @Test
  void http1Request_closesTheConnection() throws IOException {
    byte[] request =
        "GET /date.Dating/Eating HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    assertThat(exchange(request)).isTrue();
  }

  @Test
  void truncatedMessage_isInvalidArgument() {
    byte[] whole = DatingOuterClass.Eat.newBuilder().setFood("steak").build().toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 2);
    assertStatus("date.Dating/Eating", truncated, Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void invalidUtf8String_isInvalidArgument() {
    assertStatus(
        "date.Dating/Eating",
        new byte[] {0x0a, 0x02, (byte) 0xc3, 0x28},
        Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void oversizedMessage_isResourceExhausted() {
    byte[] big =
        DatingOuterClass.Eat.newBuilder()
            .setFood("x".repeat(GrpcTransport.DEFAULT_MAX_INBOUND_MESSAGE_SIZE))
            .build()
            .toByteArray();
    assertStatus("date.Dating/Eating", big, Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void unknownFields_areIgnored() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream out =
        com.google.protobuf.CodedOutputStream.newInstance(bytes);
    out.writeInt64(99, 12345);
    out.writeString(1, "steak");
    out.writeString(50, "from a newer client");
    out.writeFixed32(7, 1);
    out.flush();
    byte[] answer =
        ClientCalls.blockingUnaryCall(
            channel, raw("date.Dating/Eating"), CallOptions.DEFAULT, bytes.toByteArray());
    assertThat(DatingOuterClass.Feel.parseFrom(answer).getFeeling()).isTrue();
  }

  @Test
  void derivedService_wrongWireTypeUnknownEnumAndBadValues_areInvalidArgument() throws Exception {
    Server library = resources.serve(List.of(new MemoryLibrary()));
    ManagedChannel libraryChannel = resources.channel(library);
    // GetRequest.id (1) is a varint; a string there is not a GetRequest.
    assertStatus(
        libraryChannel,
        "library.Library/Get",
        new byte[] {0x0a, 0x01, 0x31},
        "id: wire type length-delimited");
    // SearchRequest.genre (2) = 7: Genre has no constant numbered 7.
    assertStatus(
        libraryChannel, "library.Library/Search", new byte[] {0x10, 0x07, 0x18, 0x05}, "genre: 7");
    // A Book without a title: its own validation.
    assertStatus(
        libraryChannel,
        "library.Library/Add",
        new byte[] {0x08, 0x01},
        "Book: title: must not be blank");
    // A Timestamp with nanos = -1.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream out =
        com.google.protobuf.CodedOutputStream.newInstance(bytes);
    out.writeString(2, "Dune");
    out.writeTag(6, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(com.google.protobuf.CodedOutputStream.computeInt32Size(2, -1));
    out.writeInt32(2, -1);
    out.flush();
    assertStatus(
        libraryChannel,
        "library.Library/Add",
        bytes.toByteArray(),
        "published: seconds 0, nanos -1");
    // Truncated bytes.
    assertStatus(
        libraryChannel,
        "library.Library/Add",
        new byte[] {0x12, 0x05, 0x44},
        "not a valid protobuf message");
  }

  @Test
  void unknownMethodOrService_isUnimplemented() {
    assertStatus("date.Dating/Dancing", new byte[0], Status.Code.UNIMPLEMENTED);
    assertStatus("date.Nope/Eating", new byte[0], Status.Code.UNIMPLEMENTED);
  }

  private static void assertStatus(
      ManagedChannel to, String method, byte[] request, String description) {
    GeneratedStubsTest.assertStatus(
        () -> ClientCalls.blockingUnaryCall(to, raw(method), CallOptions.DEFAULT, request),
        Status.Code.INVALID_ARGUMENT,
        description);
  }

  private void assertStatus(String method, byte[] request, Status.Code code) {
    GeneratedStubsTest.assertStatus(
        () -> ClientCalls.blockingUnaryCall(channel, raw(method), CallOptions.DEFAULT, request),
        code,
        "");
  }

  private void assertGoodCall() {
    assertThat(
            DatingGrpc.newBlockingStub(channel)
                .eating(DatingOuterClass.Eat.newBuilder().setFood("steak").build())
                .getFeeling())
        .isTrue();
  }

  /** Sends {@code bytes} on a fresh plain socket; returns whether the server then closed it. */
  private boolean exchange(byte[] bytes) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port("grpc"))) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[4096];
      try {
        while (in.read(buf) >= 0) {
          // Drain whatever the server says (an HTTP/2 GOAWAY) until it closes.
        }
      } catch (java.net.SocketTimeoutException stillOpen) {
        return false;
      } catch (SocketException reset) {
        return true;
      }
      return true;
    }
  }

  private static MethodDescriptor<byte[], byte[]> raw(String fullMethod) {
    MethodDescriptor.Marshaller<byte[]> bytes =
        new MethodDescriptor.Marshaller<>() {
          @Override
          public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
          }

          @Override
          public byte[] parse(InputStream stream) {
            try {
              return stream.readAllBytes();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        };
    return MethodDescriptor.newBuilder(bytes, bytes)
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullMethod)
        .build();
  }
}
