package dev.ipc.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipc.core.ServiceException;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A gRPC marshaller over a {@link ProtoCodec}. On the server side a request that does not decode
 * becomes a {@link Malformed} value instead of an exception, so the call handler answers it with
 * INVALID_ARGUMENT, like a malformed request on every other protocol (gRPC itself would answer a
 * throwing marshaller with UNKNOWN).
 */
final class CodecMarshaller implements MethodDescriptor.Marshaller<Object> {
  private final ProtoCodec codec;
  private final boolean lenient;

  private CodecMarshaller(ProtoCodec codec, boolean lenient) {
    this.codec = codec;
    this.lenient = lenient;
  }

  /** Returns a marshaller that turns undecodable input into {@link Malformed}. */
  static CodecMarshaller forServer(ProtoCodec codec) {
    return new CodecMarshaller(codec, true);
  }

  /** Returns a marshaller that throws on undecodable input (gRPC then fails the call). */
  static CodecMarshaller forClient(ProtoCodec codec) {
    return new CodecMarshaller(codec, false);
  }

  @Override
  public InputStream stream(Object value) {
    return new EncodedStream(value instanceof Encoded e ? e.bytes() : codec.encode(value));
  }

  @Override
  public Object parse(InputStream stream) {
    try {
      return codec.decode(readFully(stream));
    } catch (InvalidProtocolBufferException e) {
      if (lenient) {
        return new Malformed(
            ServiceException.invalidArgument("request is not a valid protobuf message"));
      }
      throw new IllegalArgumentException("response is not a valid protobuf message", e);
    } catch (RuntimeException e) {
      if (lenient) {
        // A value that does not fit its field is INVALID_ARGUMENT; anything else is our bug:
        // INTERNAL.
        return new Malformed(ServiceException.from(e));
      }
      throw new IllegalArgumentException("response does not fit its type", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        stream.close();
      } catch (IOException e) {
        // Closing an in-memory gRPC buffer stream does not fail in practice; nothing to recover.
      }
    }
  }

  /**
   * Reads the message; gRPC's streams know their length, so this allocates exactly one array (where
   * {@code readAllBytes} would allocate a 16 KiB buffer per message).
   */
  private static byte[] readFully(InputStream stream) throws IOException {
    if (stream instanceof KnownLength) {
      int size = stream.available();
      byte[] bytes = new byte[size];
      int read = stream.readNBytes(bytes, 0, size);
      if (read == size && stream.read() < 0) {
        return bytes;
      }
      throw new IOException("message length changed while reading: " + size + " announced");
    }
    return stream.readAllBytes();
  }

  /** A request that did not decode, with the error (and safe message) to answer it with. */
  record Malformed(ServiceException error) {}

  /** A value encoded already, sent as these bytes. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or hashed: equality is moot
  record Encoded(byte[] bytes) {}

  /** Encoded bytes that gRPC's framer can size and drain without copying through a buffer. */
  private static final class EncodedStream extends ByteArrayInputStream
      implements Drainable, KnownLength {
    EncodedStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }
}
