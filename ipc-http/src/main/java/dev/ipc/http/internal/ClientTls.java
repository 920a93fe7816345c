package dev.ipc.http.internal;

import static java.util.Objects.requireNonNull;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS for an {@link HttpClientPool}: whom to trust (the JDK's default trust store, or the CA in a
 * PEM file) and, for mutual TLS, a client certificate and its PEM private key (PKCS#8). The
 * server's name is checked against its certificate (as HTTPS does). Immutable.
 *
 * <p>The clients' URI options and builder methods map onto it with the same names everywhere:
 * {@code tls=true} ({@link #systemTrust()}), {@code ca=/path/ca.pem} ({@link #trusting}; implies
 * TLS), {@code cert=/path} + {@code key=/path} ({@link #withClientCertificate}; implies TLS); see
 * {@link #of(boolean, Path, Path, Path)}.
 */
public final class ClientTls {
  private final Path ca;
  private final Path cert;
  private final Path key;

  private ClientTls(Path ca, Path cert, Path key) {
    this.ca = ca;
    this.cert = cert;
    this.key = key;
  }

  /** Returns TLS trusting the JDK's default trust store. */
  public static ClientTls systemTrust() {
    return new ClientTls(null, null, null);
  }

  /**
   * Returns TLS trusting only the CA certificate(s) in {@code caPem}.
   *
   * @throws IllegalArgumentException if the file cannot be read
   */
  public static ClientTls trusting(Path caPem) {
    return new ClientTls(readable(requireNonNull(caPem, "ca"), "ca"), null, null);
  }

  /**
   * Returns a copy that presents the certificate (chain) in {@code certPem} with the private key in
   * {@code keyPem} when the server asks for one (mutual TLS).
   *
   * @throws IllegalArgumentException if a file cannot be read
   */
  public ClientTls withClientCertificate(Path certPem, Path keyPem) {
    return new ClientTls(
        ca,
        readable(requireNonNull(certPem, "cert"), "cert"),
        readable(requireNonNull(keyPem, "key"), "key"));
  }

  /**
   * Returns the TLS the options {@code tls}, {@code ca}, {@code cert} and {@code key} ask for, or
   * null for plain text: TLS when {@code tls} is true or any file is given; trusting {@code ca}
   * when given, else the JDK's default trust; with a client certificate when {@code cert} and
   * {@code key} are given.
   *
   * @throws IllegalArgumentException if only one of {@code cert} and {@code key} is given, or a
   *     file cannot be read
   */
  public static ClientTls of(boolean tls, Path ca, Path cert, Path key) {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException(
          (cert == null ? "key" : "cert")
              + " given without "
              + (cert == null ? "cert" : "key")
              + " (expected: both, for a client certificate)");
    }
    if (!tls && ca == null && cert == null) {
      return null;
    }
    ClientTls t = ca == null ? systemTrust() : trusting(ca);
    return cert == null ? t : t.withClientCertificate(cert, key);
  }

  /** Returns the CA PEM trusted, or null for the JDK's default trust store. */
  public Path ca() {
    return ca;
  }

  /** Returns the client certificate PEM, or null. */
  public Path cert() {
    return cert;
  }

  /** Returns the client certificate's private key PEM, or null. */
  public Path key() {
    return key;
  }

  /**
   * Returns Netty's client context for these settings.
   *
   * @throws IllegalArgumentException if a file holds no usable certificate or key
   */
  SslContext sslContext() {
    SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
    try {
      if (ca != null) {
        b.trustManager(ca.toFile());
      }
      if (cert != null) {
        b.keyManager(cert.toFile(), key.toFile());
      }
      return b.build();
    } catch (SSLException | IllegalArgumentException e) {
      // Names the files, never their contents.
      throw new IllegalArgumentException(
          "cannot set up client TLS from " + this + ": " + e.getMessage(), e);
    }
  }

  private static Path readable(Path p, String name) {
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(name + ": " + p + " (expected: a readable PEM file)");
    }
    return p;
  }

  @Override
  public String toString() {
    return "ClientTls{ca="
        + (ca == null ? "system" : ca)
        + (cert == null ? "" : ", cert=" + cert)
        + "}";
  }
}
