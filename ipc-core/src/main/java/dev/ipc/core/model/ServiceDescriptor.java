package dev.ipc.core.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A service described as data: its interface, name, gRPC package and service name, and operations.
 * Adapters serve any descriptor; they never name a concrete service. Immutable and thread-safe.
 *
 * <p>A host adds a service of its own by writing a descriptor (see {@link #builder}) and exposing it as
 * a {@code public static final ServiceDescriptor<X> DESCRIPTOR} field of its interface, or by passing it
 * to {@code Transports.builder().service(descriptor, implementation)}.
 *
 * @param <S> the service interface
 */
public final class ServiceDescriptor<S> {
  private final Class<S> type;
  private final String name;
  private final String grpcPackage;
  private final String grpcService;
  private final List<Operation<S, ?, ?>> operations;
  private final Map<String, Operation<S, ?, ?>> byName;
  private final Function<Stub, ? extends S> clientFactory;

  private ServiceDescriptor(Builder<S> b) {
    this.type = b.type;
    this.name = b.name;
    this.grpcPackage = b.grpcPackage != null ? b.grpcPackage : b.name;
    this.grpcService =
        b.grpcService != null
            ? b.grpcService
            : Character.toUpperCase(b.name.charAt(0)) + b.name.substring(1);
    List<Operation<S, ?, ?>> ops = new ArrayList<>();
    Map<String, Operation<S, ?, ?>> map = new LinkedHashMap<>();
    for (Operation.Builder<S, ?, ?> ob : b.operations) {
      Operation<S, ?, ?> op = ob.build(b.name, grpcFullName());
      if (map.put(op.name(), op) != null) {
        throw new IllegalStateException(b.name + ": operation " + op.name() + " declared twice");
      }
      ops.add(op);
    }
    this.operations = List.copyOf(ops);
    this.byName = Map.copyOf(map);
    this.clientFactory = b.clientFactory;
  }

  /**
   * Starts describing the service implemented by {@code type}, named {@code name} (lower case; it
   * prefixes default REST paths and Socket.IO events).
   */
  public static <S> Builder<S> builder(Class<S> type, String name) {
    return new Builder<>(type, name);
  }

  /** Returns the service interface. */
  public Class<S> type() {
    return type;
  }

  /** Returns the service's name ({@code dating}). */
  public String name() {
    return name;
  }

  /** Returns the protobuf package ({@code date}). */
  public String grpcPackage() {
    return grpcPackage;
  }

  /** Returns the gRPC service name ({@code Dating}). */
  public String grpcService() {
    return grpcService;
  }

  /** Returns the full gRPC service name ({@code date.Dating}). */
  public String grpcFullName() {
    return grpcPackage.isEmpty() ? grpcService : grpcPackage + "." + grpcService;
  }

  /** Returns the operations in declaration order. */
  public List<Operation<S, ?, ?>> operations() {
    return operations;
  }

  /**
   * Returns the named operation.
   *
   * @throws IllegalArgumentException if there is none
   */
  public Operation<S, ?, ?> operation(String operationName) {
    Operation<S, ?, ?> op = byName.get(operationName);
    if (op == null) {
      throw new IllegalArgumentException(
          "operationName: " + operationName + " (expected: one of " + byName.keySet() + ")");
    }
    return op;
  }

  /**
   * Returns an implementation of the service interface whose methods call the server through
   * {@code caller}.
   *
   * @throws UnsupportedOperationException if the descriptor declares no client factory
   */
  public S client(RemoteCaller caller) {
    if (clientFactory == null) {
      throw new UnsupportedOperationException(name + " declares no client factory");
    }
    return clientFactory.apply(new Stub(this, caller));
  }

  @Override
  public String toString() {
    return "ServiceDescriptor{" + name + ", " + operations + '}';
  }

  /** Builds a {@link ServiceDescriptor}. */
  public static final class Builder<S> {
    private final Class<S> type;
    private final String name;
    private String grpcPackage;
    private String grpcService;
    private final List<Operation.Builder<S, ?, ?>> operations = new ArrayList<>();
    private Function<Stub, ? extends S> clientFactory;

    Builder(Class<S> type, String name) {
      this.type = requireNonNull(type, "type");
      this.name = requireNonNull(name, "name");
      if (!type.isInterface()) {
        throw new IllegalArgumentException("type: " + type.getName() + " (expected: an interface)");
      }
      if (!name.matches("[a-z][a-z0-9]*")) {
        throw new IllegalArgumentException("name: " + name + " (expected: lower case letters, digits)");
      }
    }

    /** Sets the protobuf package and gRPC service (default: the name and its capitalized form). */
    public Builder<S> grpc(String packageName, String serviceName) {
      this.grpcPackage = requireNonNull(packageName, "packageName");
      this.grpcService = requireNonNull(serviceName, "serviceName");
      return this;
    }

    /** Adds an operation. */
    public Builder<S> operation(Operation.Builder<S, ?, ?> operation) {
      operations.add(requireNonNull(operation, "operation"));
      return this;
    }

    /** Sets how to implement the interface over a {@link Stub}, for protocol clients. */
    public Builder<S> client(Function<Stub, ? extends S> factory) {
      this.clientFactory = requireNonNull(factory, "factory");
      return this;
    }

    /** Returns the descriptor. */
    public ServiceDescriptor<S> build() {
      if (operations.isEmpty()) {
        throw new IllegalStateException(name + ": no operations");
      }
      return new ServiceDescriptor<>(this);
    }
  }
}
