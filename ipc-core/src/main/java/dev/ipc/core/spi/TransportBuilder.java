package dev.ipc.core.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * What every transport's builder has: the interface and port to bind, and {@link #options(Map)},
 * which applies URI options ({@code grpc://0.0.0.0:6666?maxMessageBytes=8MiB}) through the
 * builder's own methods of the same names. Hosts use the adapters' builders ({@code
 * GrpcTransport.builder()}), never this type; adapters extend it. Not thread-safe.
 *
 * @param <B> the adapter's builder
 */
public abstract class TransportBuilder<B extends TransportBuilder<B>> {
  private String host = "0.0.0.0";
  private int port;

  /** Creates a builder binding {@code defaultPort} on every interface. */
  protected TransportBuilder(int defaultPort) {
    port(defaultPort);
  }

  /** Sets the interface to bind (default: {@code 0.0.0.0}, every interface). */
  public B host(String host) {
    this.host = requireNonNull(host, "host");
    return self();
  }

  /** Sets the port to bind; 0 picks a free one (default: the transport's {@code DEFAULT_PORT}). */
  public B port(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
    this.port = port;
    return self();
  }

  /**
   * Applies options from a URI's query string, each through the builder method of the same name:
   * sizes in bytes or with a KiB/MiB suffix, durations like {@code 30s} or {@code 250ms}, booleans,
   * comma-separated lists. The transport's class lists its options; the README's Defaults section
   * lists them all.
   *
   * @throws IllegalArgumentException for an unknown option (the message lists the known ones) or a
   *     malformed value
   */
  public B options(Map<String, String> options) {
    requireNonNull(options, "options");
    OptionTable table = new OptionTable();
    bindOptions(table);
    table.apply(options);
    return self();
  }

  /** Returns the interface to bind. */
  public String host() {
    return host;
  }

  /** Returns the port to bind. */
  public int port() {
    return port;
  }

  /**
   * Binds the transport's option keys to its setters, deprecated names as {@link
   * OptionTable#alias}es.
   */
  protected abstract void bindOptions(OptionTable table);

  /** Returns this builder. */
  @SuppressWarnings("unchecked")
  protected final B self() {
    return (B) this;
  }
}
