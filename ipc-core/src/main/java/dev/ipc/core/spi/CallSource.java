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
 * @param metadata the request metadata: gRPC metadata, HTTP headers, the Socket.IO handshake's headers
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

  /** Returns a source with a peer and the request metadata, whose bearer token is the credential. */
  public static CallSource of(String transport, InetSocketAddress peer, Metadata metadata) {
    return new CallSource(transport, peer, metadata, metadata.bearerToken(), List.of(), null, null);
  }

  /** Returns a copy with a deadline. */
  public CallSource withDeadline(Instant newDeadline) {
    return new CallSource(transport, peer, metadata, credential, peerCertificates, newDeadline, principal);
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
