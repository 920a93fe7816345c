package dev.ipc.grpc;

import dev.ipc.core.Metadata;
import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Moves metadata between gRPC and core: request metadata in (application keys only), response
 * metadata out, client metadata out; and reads a call's peer, deadline and TLS client chain.
 */
final class GrpcMetadata {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GrpcMetadata.class);

  private GrpcMetadata() {}

  /**
   * Returns the application metadata of a request: every ASCII key but gRPC's own ({@code grpc-*}),
   * the HTTP/2 framing ones ({@code te}, {@code content-type}) and binary ({@code -bin}) keys.
   */
  static Metadata fromRequest(io.grpc.Metadata headers) {
    Metadata.Builder b = null;
    for (String name : headers.keys()) {
      if (!application(name)) {
        continue;
      }
      Iterable<String> values =
          headers.getAll(io.grpc.Metadata.Key.of(name, io.grpc.Metadata.ASCII_STRING_MARSHALLER));
      if (values == null) {
        continue;
      }
      for (String v : values) {
        if (b == null) {
          b = Metadata.builder();
        }
        b.add(name, v);
      }
    }
    return b == null ? Metadata.EMPTY : b.build();
  }

  private static boolean application(String name) {
    return !name.endsWith(io.grpc.Metadata.BINARY_HEADER_SUFFIX)
        && !name.startsWith("grpc-")
        && !name.startsWith(":")
        && !name.equals("te")
        && !name.equals("content-type");
  }

  /**
   * Adds {@code metadata} to {@code into} as ASCII keys, for an answer: names gRPC reserves or
   * cannot carry as text ({@code grpc-*}, {@code -bin}, upper case is lowered anyway, other
   * characters) and values outside printable ASCII are left out with a warning naming the key,
   * never the value.
   */
  static void toResponse(Metadata metadata, io.grpc.Metadata into) {
    for (String name : metadata.names()) {
      io.grpc.Metadata.Key<String> key = key(name);
      if (key == null || !application(name)) {
        LOG.warn("response metadata {} left out (not an application ASCII key)", name);
        continue;
      }
      for (String v : metadata.all(name)) {
        if (!printable(v)) {
          LOG.warn("response metadata {} left out (a value not printable ASCII)", name);
          continue;
        }
        into.put(key, v);
      }
    }
  }

  /**
   * Returns {@code metadata} as a client call's gRPC metadata.
   *
   * @throws IllegalArgumentException naming the key when one cannot be sent as ASCII metadata
   */
  static io.grpc.Metadata toRequest(Metadata metadata) {
    io.grpc.Metadata out = new io.grpc.Metadata();
    for (String name : metadata.names()) {
      io.grpc.Metadata.Key<String> key = key(name);
      if (key == null || !application(name)) {
        throw new IllegalArgumentException(
            "metadata: "
                + name
                + " (expected: an ASCII key of a-z 0-9 - _ . not ending -bin nor starting grpc-)");
      }
      for (String v : metadata.all(name)) {
        if (!printable(v)) {
          throw new IllegalArgumentException(
              "metadata: a value of " + name + " (expected: printable ASCII)");
        }
        out.put(key, v);
      }
    }
    return out;
  }

  private static io.grpc.Metadata.Key<String> key(String name) {
    if (name.endsWith(io.grpc.Metadata.BINARY_HEADER_SUFFIX)) {
      return null;
    }
    try {
      return io.grpc.Metadata.Key.of(name, io.grpc.Metadata.ASCII_STRING_MARSHALLER);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean printable(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** Returns the caller's address, or null when the transport is not a socket. */
  static InetSocketAddress peer(Attributes attributes) {
    SocketAddress remote = attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return remote instanceof InetSocketAddress inet ? inet : null;
  }

  /**
   * Returns where a call comes from: its metadata, peer, deadline and, when the server asks for
   * client certificates, the TLS client chain.
   */
  static dev.ipc.core.spi.CallSource source(
      io.grpc.ServerCall<?, ?> call,
      io.grpc.Metadata headers,
      Context context,
      boolean clientCertificates) {
    io.grpc.Attributes attributes = call.getAttributes();
    dev.ipc.core.spi.CallSource source =
        dev.ipc.core.spi.CallSource.of("grpc", peer(attributes), fromRequest(headers))
            .withDeadline(deadline(context));
    return clientCertificates ? source.withPeerCertificates(peerCertificates(attributes)) : source;
  }

  /** Returns when the caller stops waiting, or null without a deadline. */
  static Instant deadline(Context context) {
    Deadline d = context.getDeadline();
    if (d == null) {
      return null;
    }
    return Instant.now().plusNanos(d.timeRemaining(TimeUnit.NANOSECONDS));
  }

  /** Returns the TLS client certificate chain, empty when the client presented none. */
  static List<X509Certificate> peerCertificates(Attributes attributes) {
    SSLSession session = attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return List.of();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      List<X509Certificate> x509 = new ArrayList<>(chain.length);
      for (Certificate c : chain) {
        if (c instanceof X509Certificate x) {
          x509.add(x);
        }
      }
      return x509;
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }
}
