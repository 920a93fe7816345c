package dev.ipc.core;

import dev.ipc.core.model.Operation;
import dev.ipc.core.spi.CallSource;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a call carries besides its request, the same on every transport: the transport, the
 * operation, the peer, the request metadata, the TLS client certificate, the deadline and, once
 * authenticated, the principal. Service code reads it with {@link #current()} without changing its
 * interface; interceptors get it as an argument. Confined to the call's thread.
 */
public final class CallContext {
  private static final ThreadLocal<CallContext> CURRENT = new ThreadLocal<>();

  private final CallSource source;
  private final Operation<?, ?, ?> operation;
  private final Metadata.Builder responseMetadata = Metadata.builder();
  private final Feeds feeds;
  private Principal principal;

  CallContext(CallSource source, Operation<?, ?, ?> operation, Feeds feeds) {
    this.source = source;
    this.operation = operation;
    this.feeds = feeds;
    this.principal = source.principal();
  }

  /** Returns the published values of the server running this call, for {@link Feed#published}. */
  Feeds feeds() {
    return feeds;
  }

  /**
   * Returns the context of the call this thread is running.
   *
   * @throws IllegalStateException outside a call
   */
  public static CallContext current() {
    CallContext c = CURRENT.get();
    if (c == null) {
      throw new IllegalStateException("no call on this thread (expected: inside a service call)");
    }
    return c;
  }

  /** Returns the context of the call this thread is running, if any. */
  public static Optional<CallContext> find() {
    return Optional.ofNullable(CURRENT.get());
  }

  CallContext enter() {
    CURRENT.set(this);
    return this;
  }

  static void exit() {
    CURRENT.remove();
  }

  /**
   * Returns the transport's name ({@code grpc}, {@code rest}, {@code graphql}, {@code socketio}).
   */
  public String transport() {
    return source.transport();
  }

  /** Returns the operation called; {@code operation().service()} names its service. */
  public Operation<?, ?, ?> operation() {
    return operation;
  }

  /** Returns the caller's address, or null when the transport does not know it. */
  public InetSocketAddress peer() {
    return source.peer();
  }

  /**
   * Returns the request metadata: gRPC metadata, HTTP headers, or the Socket.IO handshake's
   * headers.
   */
  public Metadata metadata() {
    return source.metadata();
  }

  /** Returns the TLS client certificate chain, empty without mutual TLS. */
  public List<X509Certificate> peerCertificates() {
    return source.peerCertificates();
  }

  /** Returns when the caller stops waiting, if it said. */
  public Optional<Instant> deadline() {
    return Optional.ofNullable(source.deadline());
  }

  /** Returns the bearer token the caller presented, or null. Never log it. */
  String credential() {
    return source.credential();
  }

  /** Returns who calls once authenticated, or null for an anonymous caller. */
  public Principal principal() {
    return principal;
  }

  void principal(Principal who) {
    this.principal = who;
  }

  /**
   * Returns the metadata to send back with the answer: gRPC response headers, HTTP response
   * headers. Socket.IO acknowledgements carry none. Add to it before the call returns.
   */
  public Metadata.Builder responseMetadata() {
    return responseMetadata;
  }

  /** Returns what was added to {@link #responseMetadata()}; transports send it with the answer. */
  public Metadata responseMetadataSoFar() {
    return responseMetadata.build();
  }

  /** Shows the transport, operation, peer and principal; metadata with credentials redacted. */
  @Override
  public String toString() {
    return "CallContext{"
        + transport()
        + " "
        + operation
        + ", peer="
        + peer()
        + ", principal="
        + (principal == null ? "anonymous" : principal.name())
        + ", metadata="
        + metadata()
        + '}';
  }
}
