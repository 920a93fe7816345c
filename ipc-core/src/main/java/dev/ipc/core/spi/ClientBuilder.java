package dev.ipc.core.spi;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What every client's builder has: the server to call, TLS (the JDK's trust, or a CA PEM, and a
 * client certificate for mutual TLS), the timeout of a call (one default for every transport,
 * {@link #DEFAULT_TIMEOUT}), and {@link #options(Map)} for URI options ({@code
 * grpc://localhost:6666?timeout=5s&ca=/etc/ipc/ca.pem}). Hosts use the adapters' builders ({@code
 * GrpcClient.builder()}), never this type; adapters extend it. Not thread-safe.
 *
 * @param <B> the adapter's builder
 */
public abstract class ClientBuilder<B extends ClientBuilder<B>> {
  /** The default timeout of one call, on every transport: 30 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private String host;
  private int port = -1;
  private Duration timeout = DEFAULT_TIMEOUT;
  private Boolean tls;
  private Path ca;
  private Path cert;
  private Path key;

  /** Creates a builder with no target. */
  protected ClientBuilder() {}

  /** Sets the server to call. */
  public B target(String host, int port) {
    requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    this.host = host;
    this.port = port;
    return self();
  }

  /**
   * Sets how long one call may take (default 30 seconds); past it the call fails with {@code
   * TransportException}.
   */
  public B timeout(Duration timeout) {
    requireNonNull(timeout, "timeout");
    this.timeout = TransportOptions.positive("timeout", timeout, timeout);
    return self();
  }

  /**
   * Speaks TLS, trusting the JDK's default CAs unless {@link #ca} is set (default false: plain
   * text).
   */
  public B tls(boolean tls) {
    this.tls = tls;
    return self();
  }

  /** Speaks TLS and trusts the CA certificates in this PEM file (instead of the JDK's). */
  public B ca(Path caPem) {
    this.ca = requireNonNull(caPem, "caPem");
    return self();
  }

  /** Presents this PEM certificate chain for mutual TLS; needs {@link #key}; implies TLS. */
  public B cert(Path certPem) {
    this.cert = requireNonNull(certPem, "certPem");
    return self();
  }

  /** Sets the unencrypted PKCS#8 PEM private key of {@link #cert}. */
  public B key(Path keyPem) {
    this.key = requireNonNull(keyPem, "keyPem");
    return self();
  }

  /**
   * Applies options from a URI's query string: {@code timeout} (a duration like {@code 5s}, {@code
   * 500ms} or {@code PT5S}), {@code tls} ({@code true} or {@code false}), the PEM paths {@code ca},
   * {@code cert} and {@code key}, and the client's own options, each as the builder method of the
   * same name.
   *
   * @throws IllegalArgumentException for an unknown option (the message lists the known ones) or a
   *     malformed value
   */
  public B options(Map<String, String> options) {
    requireNonNull(options, "options");
    OptionTable table =
        new OptionTable()
            .duration("timeout", this::timeout)
            .bool("tls", this::tls)
            .path("ca", this::ca)
            .path("cert", this::cert)
            .path("key", this::key);
    bindOptions(table);
    table.apply(options);
    return self();
  }

  /** Returns the server's host, or null before {@link #target}. */
  public String host() {
    return host;
  }

  /** Returns the server's port, or -1 before {@link #target}. */
  public int port() {
    return port;
  }

  /** Returns the timeout of one call. */
  public Duration timeout() {
    return timeout;
  }

  /** Returns whether the client speaks TLS: {@code tls(true)}, or a CA, certificate or key set. */
  public boolean tls() {
    return Boolean.TRUE.equals(tls) || ca != null || cert != null || key != null;
  }

  /** Returns the CA PEM to trust, or null for the JDK's. */
  public Path ca() {
    return ca;
  }

  /** Returns the client certificate PEM, or null. */
  public Path cert() {
    return cert;
  }

  /** Returns the client certificate's key PEM, or null. */
  public Path key() {
    return key;
  }

  /**
   * Returns whether {@code tls(false)} was set explicitly (which a CA, certificate or key
   * contradicts).
   */
  protected final boolean tlsRefused() {
    return Boolean.FALSE.equals(tls);
  }

  /** Binds the client's own option keys, beside the shared ones; none by default. */
  protected void bindOptions(OptionTable table) {}

  /** Returns this builder. */
  @SuppressWarnings("unchecked")
  protected final B self() {
    return (B) this;
  }
}
