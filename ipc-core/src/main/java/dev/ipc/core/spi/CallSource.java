package dev.ipc.core.spi;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.Metadata;
import dev.ipc.core.Principal;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Where a call comes from, as a transport knows it: what it hands to {@link BoundOperation#call} so
 * that core can build the {@link dev.ipc.core.CallContext} the interceptors and the service see.
 *
 * @param transport the transport's name ({@code grpc})
 * @param peer the remote address, or null when unknown
 * @param metadata the request metadata: gRPC metadata, HTTP headers, the Socket.IO handshake's
 *     headers
 * @param credential the bearer token the caller presented ({@code Authorization: Bearer}, the
 *     Socket.IO handshake's {@code auth.token}), or null
 * @param peerCertificates the TLS client certificate chain, empty without mutual TLS
 * @param deadline when the caller stops waiting, or null for no deadline
 * @param principal who the caller is when the transport already authenticated the connection
 *     (Socket.IO does so once at the handshake), else null
 */
public record CallSource(
    String transport,
    InetSocketAddress peer,
    Metadata metadata,
    String credential,
    List<X509Certificate> peerCertificates,
    Instant deadline,
    Principal principal) {
  /** Checks and copies. */
  public CallSource {
    requireNonNull(transport, "transport");
    metadata = metadata == null ? Metadata.EMPTY : metadata;
    peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
  }

  /** Returns a source with only a transport name: in-process callers and tests. */
  public static CallSource of(String transport) {
    return new CallSource(transport, null, Metadata.EMPTY, null, List.of(), null, null);
  }

  /**
   * Returns a source with a peer and the request metadata, whose bearer token is the credential.
   */
  public static CallSource of(String transport, InetSocketAddress peer, Metadata metadata) {
    return new CallSource(transport, peer, metadata, metadata.bearerToken(), List.of(), null, null);
  }

  /**
   * The HTTP request header in which a caller gives its timeout, in milliseconds from when the
   * server reads the request: Connect's name for what gRPC sends as {@code grpc-timeout}. ipc's
   * REST and GraphQL clients send their call timeout in it.
   */
  public static final String TIMEOUT_HEADER = "connect-timeout-ms";

  /**
   * Returns a copy whose deadline is what the metadata's {@link #TIMEOUT_HEADER} says, counted from
   * now; this source when there is none.
   *
   * @throws dev.ipc.core.ServiceException INVALID_ARGUMENT if it is not 1 to 10 digits
   */
  public CallSource withTimeoutHeader() {
    String value = metadata.get(TIMEOUT_HEADER);
    if (value == null) {
      return this;
    }
    if (value.isEmpty()
        || value.length() > 10
        || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw dev.ipc.core.ServiceException.invalidArgument(
          TIMEOUT_HEADER
              + ": "
              + (value.length() > 20 ? value.substring(0, 20) + "..." : value)
              + " (expected: milliseconds, 1 to 10 digits)");
    }
    return withDeadline(Instant.now().plusMillis(Long.parseLong(value)));
  }

  /** Returns a copy with a deadline. */
  public CallSource withDeadline(Instant newDeadline) {
    return new CallSource(
        transport, peer, metadata, credential, peerCertificates, newDeadline, principal);
  }

  /** Returns a copy with the TLS client certificate chain. */
  public CallSource withPeerCertificates(List<X509Certificate> chain) {
    return new CallSource(transport, peer, metadata, credential, chain, deadline, principal);
  }

  /** Returns a copy with another credential. */
  public CallSource withCredential(String token) {
    return new CallSource(transport, peer, metadata, token, peerCertificates, deadline, principal);
  }

  /** Returns a copy whose caller the transport has already authenticated. */
  public CallSource withPrincipal(Principal who) {
    return new CallSource(transport, peer, metadata, credential, peerCertificates, deadline, who);
  }
}
