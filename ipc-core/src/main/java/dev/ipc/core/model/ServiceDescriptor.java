package dev.ipc.core.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A service described as data: its interface, name, gRPC package and service name, and operations.
 * Adapters serve any descriptor; they never name a concrete service. Immutable and thread-safe.
 *
 * <p>Most services need no descriptor written by hand: {@link #of(Class)} derives one from a plain
 * interface by reflection (see the README's "Writing your own service"), and {@code
 * Transports.serve} does so for every interface an implementation has. {@link #derive} adds
 * validators or record types with other names; {@link #builder} describes everything explicitly. A
 * descriptor exposed as a {@code public static final ServiceDescriptor<X> DESCRIPTOR} field of its
 * interface is the one {@link #of} returns.
 *
 * @param <S> the service interface
 */
public final class ServiceDescriptor<S> {
  private static final ClassValue<ServiceDescriptor<?>> OF =
      new ClassValue<>() {
        @Override
        protected ServiceDescriptor<?> computeValue(Class<?> type) {
          ServiceDescriptor<?> declared = declared(type);
          return declared != null ? declared : Derive.service(type, Map.of(), Map.of());
        }
      };

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
    checkWireNames();
  }

  /**
   * Fails when two operations would answer to one gRPC method, REST route, GraphQL field or event.
   */
  private void checkWireNames() {
    Map<String, Operation<S, ?, ?>> seen = new LinkedHashMap<>();
    for (Operation<S, ?, ?> op : operations) {
      unique(seen, "gRPC method " + op.grpcMethod(), op);
      // {id} and {name} match the same requests: a route is its method and path with variables
      // blanked.
      unique(
          seen,
          "REST route " + op.restMethod() + " " + op.restPath().replaceAll("\\{[^}]*}", "{}"),
          op);
      unique(seen, "GraphQL field " + op.kind() + "." + op.graphqlField(), op);
      unique(seen, "Socket.IO event " + op.event(), op);
    }
  }

  private void unique(Map<String, Operation<S, ?, ?>> seen, String key, Operation<S, ?, ?> op) {
    Operation<S, ?, ?> other = seen.putIfAbsent(key, op);
    if (other != null) {
      throw new IllegalArgumentException(
          name
              + ": "
              + other.name()
              + " and "
              + op.name()
              + " both map to "
              + key.replace("QUERY.", "Query.").replace("MUTATION.", "Mutation.")
              + " (expected: one operation each; rename one, or set its name with an annotation)");
    }
  }

  /**
   * Returns the descriptor of a service interface: its {@code DESCRIPTOR} field if it declares one,
   * else one derived from the interface by reflection, once per class. Each abstract method is an
   * operation: one record parameter is its request; plain parameters (compiled with {@code javac
   * -parameters}, or named with {@link dev.ipc.core.annotation.Param}) become the fields of a
   * request message; it answers a record, a {@code List} of records, a {@code Saved} record, or
   * nothing ({@code void}). Names derive from the Java names, unless an annotation of {@code
   * dev.ipc.core.annotation} sets them.
   *
   * @throws IllegalArgumentException naming the method and type when a method cannot be described
   */
  @SuppressWarnings("unchecked")
  public static <S> ServiceDescriptor<S> of(Class<S> type) {
    requireNonNull(type, "type");
    return (ServiceDescriptor<S>) OF.get(type);
  }

  /**
   * Starts deriving the descriptor of {@code type} as {@link #of} does, with validators or record
   * types of the host's own. Use {@link #of} when there are none.
   */
  public static <S> Derivation<S> derive(Class<S> type) {
    return new Derivation<>(requireNonNull(type, "type"));
  }

  /** Returns the interface's {@code DESCRIPTOR} field's descriptor, or null. */
  static ServiceDescriptor<?> declared(Class<?> type) {
    try {
      java.lang.reflect.Field f = type.getField("DESCRIPTOR");
      // Interfaces declared package-private (in a host's own code) still count.
      f.setAccessible(true);
      if (java.lang.reflect.Modifier.isStatic(f.getModifiers())
          && f.get(null) instanceof ServiceDescriptor<?> d
          && d.type() == type) {
        return d;
      }
    } catch (NoSuchFieldException | IllegalAccessException | RuntimeException e) {
      // Not a described interface.
    }
    return null;
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
   * Returns an implementation of the service interface whose methods call the server through {@code
   * caller}.
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

  /**
   * Derives a {@link ServiceDescriptor} from an interface, as {@link #of} does, with what
   * annotations cannot say: checks to run on each call's arguments before the service sees them,
   * and record types with other names or nullability. Not thread-safe.
   */
  public static final class Derivation<S> {
    private final Class<S> type;
    private final Map<Class<?>, RecordType<?>> records = new LinkedHashMap<>();
    private final Map<String, Consumer<Object[]>> validators = new LinkedHashMap<>();

    Derivation(Class<S> type) {
      this.type = type;
    }

    /**
     * Checks the arguments of every call of the named method, as the method receives them, before
     * the service sees them, on every transport; throw {@code ServiceException.invalidArgument}
     * from it.
     */
    public Derivation<S> validator(String method, Consumer<Object[]> validator) {
      validators.put(requireNonNull(method, "method"), requireNonNull(validator, "validator"));
      return this;
    }

    /**
     * Uses {@code recordType} (another name, other nullability) wherever its class is a request or
     * answer.
     */
    public Derivation<S> record(RecordType<?> recordType) {
      records.put(requireNonNull(recordType, "recordType").javaType(), recordType);
      return this;
    }

    /**
     * Returns the descriptor.
     *
     * @throws IllegalArgumentException naming the method and type when a method cannot be described
     */
    public ServiceDescriptor<S> build() {
      return Derive.service(type, Map.copyOf(records), Map.copyOf(validators));
    }
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
        throw new IllegalArgumentException(
            "name: " + name + " (expected: lower case letters, digits)");
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
