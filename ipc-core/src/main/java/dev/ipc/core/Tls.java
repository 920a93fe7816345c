package dev.ipc.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS for every transport of a server, from PEM files: the certificate chain and its private key
 * (PKCS#8 or PKCS#1), and optionally the CA whose client certificates are accepted (mutual TLS).
 * Given once to {@code Transports.builder().tls(...)}; each adapter builds its own TLS engine from
 * it, so the same files serve gRPC, REST, GraphQL and Socket.IO.
 *
 * @param certificateChain PEM file: the server's certificate, then its intermediates
 * @param privateKey PEM file: the certificate's private key, unencrypted
 * @param clientCa PEM file of the CA that signs accepted client certificates, or null for no client
 *     certificates
 * @param clientAuth whether a client certificate is required, when {@code clientCa} is given
 */
public record Tls(Path certificateChain, Path privateKey, Path clientCa, ClientAuth clientAuth) {
  /** Whether clients present certificates. */
  public enum ClientAuth {
    /** Clients present none (plain server-side TLS). */
    NONE,
    /** A client may present one; it is checked against the CA when it does. */
    OPTIONAL,
    /** Every client must present one signed by the CA; others are refused at the handshake. */
    REQUIRE
  }

  /**
   * Checks the files exist now, so a typo fails at {@code serve} with the path, not at the first
   * handshake.
   */
  public Tls {
    requireNonNull(certificateChain, "certificateChain");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(clientAuth, "clientAuth");
    readable(certificateChain, "certificateChain");
    readable(privateKey, "privateKey");
    if (clientCa != null) {
      readable(clientCa, "clientCa");
    } else if (clientAuth != ClientAuth.NONE) {
      throw new IllegalArgumentException(
          "clientAuth: " + clientAuth + " (expected: NONE without a clientCa)");
    }
  }

  /** Returns server-side TLS from a PEM certificate chain and its PEM private key. */
  public static Tls fromPem(Path certificateChain, Path privateKey) {
    return new Tls(certificateChain, privateKey, null, ClientAuth.NONE);
  }

  /** Returns a copy that asks for client certificates signed by the CA in {@code caPem}. */
  public Tls withClientCa(Path caPem, ClientAuth mode) {
    return new Tls(certificateChain, privateKey, requireNonNull(caPem, "caPem"), mode);
  }

  private static void readable(Path p, String name) {
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(name + ": " + p + " (expected: a readable PEM file)");
    }
  }
}
