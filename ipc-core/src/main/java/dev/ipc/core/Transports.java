package dev.ipc.core;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportProvider;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;

/**
 * Serves services over transports: hand it implementations and transports, get one running {@link
 * Server} back.
 *
 * <pre>{@code
 * try (Server server = Transports.serve(List.of(new MyDating()), "grpc://0.0.0.0:6666", "rest://0.0.0.0:5000")) {
 *   server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Transports given as URIs ({@code scheme://host:port?option=value}) are found through {@link
 * TransportProvider}s on the classpath; each adapter module also has a typed builder.
 */
public final class Transports {
  /** The grace period {@link Server#close()} gives calls in flight unless configured. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(10);

  private static final Map<String, String> ARTIFACTS =
      Map.of(
          "grpc", "ipc-grpc",
          "rest", "ipc-rest",
          "graphql", "ipc-graphql",
          "socketio", "ipc-socketio");

  private Transports() {}

  /**
   * Serves {@code services} (implementations of described service interfaces, such as {@link
   * DatingService}) over transports given as URIs; returns once every transport is bound.
   *
   * @throws IllegalArgumentException if a URI is malformed, its transport is not on the classpath,
   *     or a service implements no described interface
   * @throws IllegalStateException if a transport cannot start; those already started are stopped
   */
  public static Server serve(Iterable<?> services, String... transports) {
    Builder b = builder().services(services);
    for (String t : transports) {
      b.transport(t);
    }
    return b.start();
  }

  /** Like {@link #serve(Iterable, String...)}, with configured transports. */
  public static Server serve(Iterable<?> services, Transport... transports) {
    Builder b = builder().services(services);
    for (Transport t : transports) {
      b.transport(t);
    }
    return b.start();
  }

  /**
   * Returns a builder for a server with more settings (grace period, executor, custom services).
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the transport a URI names, from the providers on the classpath: {@code
   * grpc://host:port}, {@code rest://...}, {@code graphql://...}, {@code socketio://...}, with
   * options as a query string.
   *
   * @throws IllegalArgumentException if the URI is malformed or no provider serves its scheme; the
   *     message names the Maven artifact to add
   */
  public static Transport transport(String uri) {
    Target t = Target.parse(uri);
    return provider(t.scheme).create(t.host, t.port, t.options);
  }

  /**
   * Returns a client for the server a URI names ({@code grpc://localhost:6666}); see {@link
   * #transport(String)} for the form. {@code client.service(DatingService.DESCRIPTOR)} then
   * implements the interface over that protocol.
   *
   * @throws IllegalArgumentException if the URI is malformed or no provider serves its scheme
   */
  public static Client connect(String uri) {
    Target t = Target.parse(uri);
    return provider(t.scheme).connect(t.host, t.port, t.options);
  }

  private record Target(String scheme, String host, int port, Map<String, String> options) {
    static Target parse(String uri) {
      requireNonNull(uri, "uri");
      int schemeEnd = uri.indexOf("://");
      if (schemeEnd <= 0) {
        throw new IllegalArgumentException("uri: " + uri + " (expected: scheme://host:port)");
      }
      String scheme = uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
      String rest = uri.substring(schemeEnd + 3);
      Map<String, String> options = new LinkedHashMap<>();
      int q = rest.indexOf('?');
      if (q >= 0) {
        for (String pair : rest.substring(q + 1).split("&", -1)) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("uri: " + uri + " (expected: options as key=value)");
          }
          options.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        rest = rest.substring(0, q);
      }
      if (rest.endsWith("/")) {
        rest = rest.substring(0, rest.length() - 1);
      }
      int colon = rest.lastIndexOf(':');
      if (colon < 0 || colon == rest.length() - 1) {
        throw new IllegalArgumentException(
            "uri: " + uri + " (expected: a port, scheme://host:port)");
      }
      String host = rest.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (host.isEmpty()) {
        host = "0.0.0.0";
      }
      int port;
      try {
        port = Integer.parseInt(rest.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("uri: " + uri + " (expected: a numeric port)", e);
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      return new Target(scheme, host, port, options);
    }
  }

  private static TransportProvider provider(String scheme) {
    List<String> found = new ArrayList<>();
    for (TransportProvider p : ServiceLoader.load(TransportProvider.class, classLoader())) {
      if (p.scheme().equals(scheme)) {
        return p;
      }
      found.add(p.scheme());
    }
    String artifact = ARTIFACTS.get(scheme);
    String hint =
        artifact != null
            ? "; add the dependency dev.ipc:" + artifact
            : " (known: " + ARTIFACTS.keySet() + ")";
    throw new IllegalArgumentException(
        "no transport '" + scheme + "' on the classpath" + hint + " (found: " + found + ")");
  }

  private static ClassLoader classLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : Transports.class.getClassLoader();
  }

  /** Builds and starts a {@link Server}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, DefaultServer.Binding<?>> services = new LinkedHashMap<>();
    private final List<Transport> transports = new ArrayList<>();
    private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
    private ExecutorService executor;
    private boolean closeOnJvmShutdown;
    private final List<Interceptor> interceptors = new ArrayList<>();
    private TokenVerifier verifier;
    private int authAt;
    private Tls tls;
    private Duration callTimeout;
    private Duration readinessDelay = Duration.ZERO;
    private int streamBuffer = DefaultServer.Streaming.DEFAULT.buffer();
    private int feedHistory = DefaultServer.Streaming.DEFAULT.history();
    private dev.ipc.core.spi.EventBus bus = DefaultServer.Streaming.DEFAULT.bus();

    Builder() {}

    /**
     * Adds an implementation of one or more service interfaces: every interface it implements is
     * described by {@link ServiceDescriptor#of} (its {@code DESCRIPTOR} field, or derived from its
     * methods), except the JDK's own.
     *
     * @throws IllegalArgumentException if it implements none, an interface cannot be described (the
     *     message names the method and type), or a service is added twice
     */
    public Builder service(Object implementation) {
      requireNonNull(implementation, "implementation");
      List<ServiceDescriptor<?>> found = describedInterfaces(implementation.getClass());
      if (found.isEmpty()) {
        throw new IllegalArgumentException(
            "implementation: "
                + implementation.getClass().getName()
                + " (expected: implements a service interface, or use service(descriptor,"
                + " implementation))");
      }
      for (ServiceDescriptor<?> d : found) {
        add(d, implementation);
      }
      return this;
    }

    /** Adds every implementation; see {@link #service(Object)}. */
    public Builder services(Iterable<?> implementations) {
      requireNonNull(implementations, "implementations");
      for (Object o : implementations) {
        service(o);
      }
      return this;
    }

    /** Adds a service described by {@code descriptor}, implemented by {@code implementation}. */
    public <S> Builder service(ServiceDescriptor<S> descriptor, S implementation) {
      requireNonNull(descriptor, "descriptor");
      requireNonNull(implementation, "implementation");
      return add(descriptor, implementation);
    }

    private Builder add(ServiceDescriptor<?> descriptor, Object implementation) {
      if (!descriptor.type().isInstance(implementation)) {
        throw new IllegalArgumentException(
            "implementation: "
                + implementation.getClass().getName()
                + " (expected: a "
                + descriptor.type().getName()
                + ")");
      }
      if (services.containsKey(descriptor.name())) {
        throw new IllegalArgumentException("service '" + descriptor.name() + "' added twice");
      }
      services.put(descriptor.name(), new DefaultServer.Binding<>(descriptor, implementation));
      return this;
    }

    /** Adds a transport. */
    public Builder transport(Transport transport) {
      transports.add(requireNonNull(transport, "transport"));
      return this;
    }

    /** Adds a transport given as a URI; see {@link Transports#transport(String)}. */
    public Builder transport(String uri) {
      return transport(Transports.transport(uri));
    }

    /** Sets how long {@link Server#close()} waits for calls in flight (default 10 s). */
    public Builder gracePeriod(Duration gracePeriod) {
      requireNonNull(gracePeriod, "gracePeriod");
      if (gracePeriod.isNegative()) {
        throw new IllegalArgumentException("gracePeriod: " + gracePeriod + " (expected: >= 0)");
      }
      this.gracePeriod = gracePeriod;
      return this;
    }

    /**
     * Sets the executor service code runs on; the server shuts it down when it closes. By default
     * up to 64 daemon threads (16 per core on bigger machines), started as calls need them and
     * ended after 60 s idle, then a queue of 10,000 calls; past that, calls are refused as
     * RESOURCE_EXHAUSTED.
     */
    public Builder executor(ExecutorService executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Adds an interceptor around every call on every transport; see {@link Interceptor} for the
     * order.
     */
    public Builder interceptor(Interceptor interceptor) {
      interceptors.add(requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /**
     * Authenticates callers with {@code verifier}: a bearer token ({@code Authorization: Bearer}
     * over HTTP and gRPC, the handshake's {@code auth.token} over Socket.IO) becomes a {@link
     * Principal}, and operations that declare roles ({@link dev.ipc.core.annotation.Roles}) admit
     * only callers with one. A presented token that does not verify is refused with
     * UNAUTHENTICATED, even on a public operation.
     */
    public Builder authenticate(TokenVerifier verifier) {
      this.verifier = requireNonNull(verifier, "verifier");
      // Authentication runs where it was added among the interceptors; see Interceptor.
      this.authAt = interceptors.size();
      return this;
    }

    /** Serves TLS on every transport, from PEM files; see {@link Tls}. */
    public Builder tls(Tls tls) {
      this.tls = requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Ends every call after {@code timeout} at most, whatever deadline its caller gave (gRPC
     * clients send one; HTTP and Socket.IO callers do not): the service's thread is interrupted and
     * the caller gets DEADLINE_EXCEEDED. None by default.
     */
    public Builder callTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
      }
      this.callTimeout = timeout;
      return this;
    }

    /**
     * Sets how long {@link Server#close()} answers not ready ({@code /readyz} 503, gRPC health
     * NOT_SERVING) while still serving calls, before it stops accepting: long enough for a load
     * balancer polling readiness to send no more (default 0). The grace period for calls in flight
     * starts after.
     */
    public Builder readinessDelay(Duration delay) {
      requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
      }
      this.readinessDelay = delay;
      return this;
    }

    /**
     * Sets how many values each open stream may hold for a caller that reads slower than they come
     * (default 1,024): one that falls further behind is ended with RESOURCE_EXHAUSTED, in its
     * protocol's form, so it never holds up the publisher, the other subscribers or the server's
     * memory.
     */
    public Builder streamBuffer(int values) {
      if (values < 1) {
        throw new IllegalArgumentException("values: " + values + " (expected: >= 1)");
      }
      this.streamBuffer = values;
      return this;
    }

    /**
     * Sets how many published values each event keeps for callers that resume a {@link Feed} with
     * {@code Last-Event-ID} (default 1,000; 0 keeps none): older ones are gone for them.
     */
    public Builder feedHistory(int values) {
      if (values < 0) {
        throw new IllegalArgumentException("values: " + values + " (expected: >= 0)");
      }
      this.feedHistory = values;
      return this;
    }

    /**
     * Shares published values with the other nodes of this service through {@code bus} (such as
     * ipc-redis's), so feeds, streams and Socket.IO broadcasts reach subscribers on every node. By
     * default values stay in this process.
     */
    public Builder bus(dev.ipc.core.spi.EventBus bus) {
      this.bus = requireNonNull(bus, "bus");
      return this;
    }

    /** Closes the server when the JVM shuts down. */
    public Builder closeOnJvmShutdown() {
      this.closeOnJvmShutdown = true;
      return this;
    }

    /**
     * Starts every transport and returns once all are bound.
     *
     * @throws IllegalStateException if no service or transport was given, or one fails to start
     *     (the message names the transport and address; those already started are stopped)
     */
    public Server start() {
      if (services.isEmpty()) {
        throw new IllegalStateException("no services to serve");
      }
      if (transports.isEmpty()) {
        throw new IllegalStateException("no transports to serve on");
      }
      Map<String, Integer> names = new HashMap<>();
      for (Transport t : transports) {
        if (names.merge(t.name(), 1, Integer::sum) > 1) {
          throw new IllegalStateException("transport '" + t.name() + "' given twice");
        }
      }
      DefaultServer server =
          DefaultServer.start(
              List.copyOf(services.values()),
              List.copyOf(transports),
              gracePeriod,
              executor,
              Security.of(verifier, interceptors, authAt, tls, callTimeout, readinessDelay),
              new DefaultServer.Streaming(streamBuffer, feedHistory, bus));
      if (closeOnJvmShutdown) {
        server.closeOnJvmShutdown();
      }
      return server;
    }
  }

  /**
   * Returns the services {@code type} implements: each interface with a {@code DESCRIPTOR} field,
   * and each other interface declaring methods of its own, derived by reflection; JDK interfaces
   * ({@code AutoCloseable}...) are not services, and an interface declaring nothing passes its
   * super-interfaces on.
   */
  static List<ServiceDescriptor<?>> describedInterfaces(Class<?> type) {
    List<ServiceDescriptor<?>> found = new ArrayList<>();
    Deque<Class<?>> todo = new ArrayDeque<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      todo.addAll(List.of(c.getInterfaces()));
    }
    List<Class<?>> seen = new ArrayList<>();
    while (!todo.isEmpty()) {
      Class<?> i = todo.poll();
      if (seen.contains(i) || isPlatform(i)) {
        continue;
      }
      seen.add(i);
      if (declaresService(i)) {
        ServiceDescriptor<?> d = ServiceDescriptor.of(i);
        if (found.stream().noneMatch(f -> f.type() == d.type())) {
          found.add(d);
        }
      } else {
        todo.addAll(List.of(i.getInterfaces()));
      }
    }
    return found;
  }

  private static boolean declaresService(Class<?> iface) {
    if (Arrays.stream(iface.getFields()).anyMatch(f -> f.getName().equals("DESCRIPTOR"))) {
      return true;
    }
    for (Method m : iface.getDeclaredMethods()) {
      if (!Modifier.isStatic(m.getModifiers())
          && !m.isSynthetic()
          && (!m.isDefault()
              || java.util.concurrent.Flow.Publisher.class.isAssignableFrom(m.getReturnType()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isPlatform(Class<?> iface) {
    String n = iface.getName();
    return n.startsWith("java.")
        || n.startsWith("javax.")
        || n.startsWith("jdk.")
        || n.startsWith("sun.")
        || n.startsWith("com.sun.");
  }
}
