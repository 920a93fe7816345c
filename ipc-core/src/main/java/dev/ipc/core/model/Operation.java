package dev.ipc.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * One operation of a service, described as data: its name, request and response types, whether it
 * reads (query) or writes (mutation), and the hints each adapter needs to expose it (gRPC method,
 * REST method and path, GraphQL field, Socket.IO event). Immutable and thread-safe.
 *
 * @param <S> the service interface
 * @param <I> the request record
 * @param <O> the response record (one, or a list when {@link #many()})
 */
public final class Operation<S, I, O> {
  /** Whether an operation only reads or also writes. */
  public enum Kind {
    /** Reads only: GraphQL query, REST GET by default. */
    QUERY,
    /** Writes or acts: GraphQL mutation, REST POST by default. */
    MUTATION,
    /**
     * Streams answers until cancelled: gRPC server streaming, GraphQL subscription, REST
     * Server-Sent Events (GET), a Socket.IO subscription. The service returns a {@link
     * java.util.concurrent.Flow.Publisher} of the output type.
     */
    SUBSCRIPTION
  }

  private final String service;
  private final String grpcService;
  private final String name;
  private final Kind kind;
  private final RecordType<I> input;
  private final RecordType<O> output;
  private final boolean many;
  private final BiFunction<? super S, ? super I, ?> invoker;
  private final Consumer<? super I> validator;
  private final String grpcMethod;
  private final String grpcResponseMessage;
  private final String grpcResponseField;
  private final String restMethod;
  private final String restPath;
  private final String graphqlField;
  private final boolean graphqlRootFields;
  private final String event;
  private final String publishes;
  private final String itemEvent;
  private final Set<String> roles;
  private final boolean authenticated;
  private final boolean restSimpleRequests;

  private Operation(Builder<S, I, O> b, String service, String grpcService) {
    this.service = service;
    this.grpcService = grpcService;
    this.name = b.name;
    this.kind = b.kind;
    this.input = b.input;
    this.output = b.output;
    this.many = b.many;
    this.invoker = requireNonNull(b.invoker, "invoker of " + b.name);
    this.validator = b.validator;
    this.grpcMethod = b.grpcMethod != null ? b.grpcMethod : capitalize(b.name);
    this.grpcResponseMessage =
        b.grpcResponseMessage != null ? b.grpcResponseMessage : this.grpcMethod + "Response";
    this.grpcResponseField = b.grpcResponseField != null ? b.grpcResponseField : "items";
    this.restMethod =
        b.restMethod != null ? b.restMethod : (b.kind == Kind.MUTATION ? "POST" : "GET");
    this.restPath = b.restPath != null ? b.restPath : "/" + service + "/" + kebab(b.name);
    this.graphqlField = b.graphqlField != null ? b.graphqlField : b.name;
    this.graphqlRootFields = b.graphqlRootFields;
    this.event = b.event != null ? b.event : service + ":" + b.name;
    this.publishes = b.publishes;
    this.itemEvent = b.itemEvent != null ? b.itemEvent : this.event;
    this.roles = Set.copyOf(b.roles);
    this.authenticated = b.authenticated;
    this.restSimpleRequests = b.restSimpleRequests;
  }

  /**
   * Starts describing an operation named {@code name} (lower camel case) that takes {@code input}
   * and answers {@code output}.
   */
  public static <S, I, O> Builder<S, I, O> builder(
      String name, RecordType<I> input, RecordType<O> output) {
    return new Builder<>(name, input, output);
  }

  /** Returns the name of the service this operation belongs to. */
  public String service() {
    return service;
  }

  /** Returns the operation's name, lower camel case ({@code watchMovie}). */
  public String name() {
    return name;
  }

  /** Returns whether the operation reads or writes. */
  public Kind kind() {
    return kind;
  }

  /** Returns the request type; it may have no fields. */
  public RecordType<I> input() {
    return input;
  }

  /** Returns the response type (of one element when {@link #many()}). */
  public RecordType<O> output() {
    return output;
  }

  /**
   * Returns whether the operation streams {@link #output()} values ({@link Kind#SUBSCRIPTION}): its
   * invocation answers a {@link java.util.concurrent.Flow.Publisher}.
   */
  public boolean streaming() {
    return kind == Kind.SUBSCRIPTION;
  }

  /** Returns whether the operation answers a list of {@link #output()}. */
  public boolean many() {
    return many;
  }

  /** Returns the full gRPC name of the service this operation belongs to ({@code date.Dating}). */
  public String grpcService() {
    return grpcService;
  }

  /** Returns the gRPC method name ({@code Eating}). */
  public String grpcMethod() {
    return grpcMethod;
  }

  /**
   * Returns the gRPC message that wraps a {@link #many()} answer ({@code ListTasksResponse}); its
   * one repeated field is {@link #grpcResponseField()}, number 1.
   */
  public String grpcResponseMessage() {
    return grpcResponseMessage;
  }

  /** Returns the repeated field of {@link #grpcResponseMessage()}. */
  public String grpcResponseField() {
    return grpcResponseField;
  }

  /** Returns the HTTP method of the REST route ({@code GET}, {@code PUT}, {@code POST}...). */
  public String restMethod() {
    return restMethod;
  }

  /**
   * Returns the REST path; {@code {field}} segments bind input fields ({@code /tasks/{id}}). The
   * other input fields come from the JSON body (or the query string for GET).
   */
  public String restPath() {
    return restPath;
  }

  /**
   * Returns whether a REST POST may come with a form, plain text or an empty body (a CORS "simple"
   * request, which any web page can send cross-site); otherwise it must be JSON.
   */
  public boolean restSimpleRequests() {
    return restSimpleRequests;
  }

  /** Returns the GraphQL field on Query (queries) or Mutation (mutations). */
  public String graphqlField() {
    return graphqlField;
  }

  /**
   * Returns whether GraphQL also spreads the output's fields on the root Query type (the article's
   * {@code { name hobby }}); only for query operations without input fields.
   */
  public boolean graphqlRootFields() {
    return graphqlRootFields;
  }

  /** Returns the Socket.IO event that calls this operation with an acknowledgement. */
  public String event() {
    return event;
  }

  /**
   * Returns the Socket.IO event a {@link #streaming()} operation's values arrive as (default:
   * {@link #event()}; {@code task:saved} for {@code task:watchTasks}).
   */
  public String itemEvent() {
    return itemEvent;
  }

  /**
   * Returns the event name under which a successful call's value is published to subscribers
   * (Socket.IO broadcasts it), or null when calls are not published.
   */
  public String publishes() {
    return publishes;
  }

  /**
   * Returns whether only an authenticated caller may call this operation, once the server
   * authenticates; see {@link #roles()}.
   */
  public boolean requiresAuthentication() {
    return authenticated;
  }

  /** Returns the roles, any one of which admits a caller; empty means any authenticated caller. */
  public Set<String> roles() {
    return roles;
  }

  /** Checks the request the way every protocol must; throws INVALID_ARGUMENT. */
  public void validate(I request) {
    if (validator != null) {
      validator.accept(request);
    }
  }

  /**
   * Validates the request, then calls the operation on {@code service}. Exceptions propagate as
   * thrown; callers map them with the core's {@code ServiceException.from} (an {@link
   * InvalidValueException} becomes INVALID_ARGUMENT).
   */
  public Reply invoke(S service, I request) {
    validate(request);
    Object result = invoker.apply(service, request);
    if (result instanceof Reply reply) {
      // A create-or-replace's Saved: it already says what the call answered.
      if (reply.value() == null) {
        throw new IllegalStateException(this.service + "." + name + " returned a null value");
      }
      return reply;
    }
    if (result == null) {
      throw new IllegalStateException(this.service + "." + name + " returned null");
    }
    if (kind == Kind.SUBSCRIPTION && !(result instanceof java.util.concurrent.Flow.Publisher<?>)) {
      throw new IllegalStateException(this.service + "." + name + " returned " + result.getClass());
    }
    if (many) {
      // Every adapter would fail on a null element, each its own way: make it one INTERNAL here.
      if (!(result instanceof List<?> list)) {
        throw new IllegalStateException(
            this.service + "." + name + " returned " + result.getClass());
      }
      for (Object element : list) {
        if (element == null) {
          throw new IllegalStateException(this.service + "." + name + " returned a null element");
        }
      }
    }
    return Reply.of(result);
  }

  @Override
  public String toString() {
    return service + "." + name;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static String kebab(String s) {
    return s.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /** Builds an {@link Operation}; every hint has a default derived from the names. */
  public static final class Builder<S, I, O> {
    private final String name;
    private final RecordType<I> input;
    private final RecordType<O> output;
    private Kind kind = Kind.QUERY;
    private boolean many;
    private BiFunction<? super S, ? super I, ?> invoker;
    private Consumer<? super I> validator;
    private String grpcMethod;
    private String grpcResponseMessage;
    private String grpcResponseField;
    private String restMethod;
    private String restPath;
    private String graphqlField;
    private boolean graphqlRootFields;
    private String event;
    private String publishes;
    private String itemEvent;
    private Set<String> roles = Set.of();
    private boolean authenticated;
    private boolean restSimpleRequests;

    Builder(String name, RecordType<I> input, RecordType<O> output) {
      this.name = requireNonNull(name, "name");
      if (!name.matches("[a-z][A-Za-z0-9]*")) {
        throw new IllegalArgumentException("name: " + name + " (expected: lowerCamelCase)");
      }
      this.input = requireNonNull(input, "input");
      this.output = requireNonNull(output, "output");
    }

    RecordType<I> input() {
      return input;
    }

    /**
     * Calls the service for one output value, or a {@link Reply} (the core's {@code Saved}) for a
     * create-or-replace.
     */
    public Builder<S, I, O> invoker(BiFunction<? super S, ? super I, ?> invoker) {
      this.invoker = requireNonNull(invoker, "invoker");
      return this;
    }

    /** Calls the service for a list of output values. */
    public Builder<S, I, O> manyInvoker(
        BiFunction<? super S, ? super I, ? extends List<O>> invoker) {
      this.many = true;
      this.invoker = requireNonNull(invoker, "invoker");
      return this;
    }

    /**
     * Calls the service for a {@link java.util.concurrent.Flow.Publisher} of output values: a
     * streaming operation ({@link Kind#SUBSCRIPTION}).
     */
    public Builder<S, I, O> streamInvoker(
        BiFunction<? super S, ? super I, ? extends java.util.concurrent.Flow.Publisher<? extends O>>
            invoker) {
      this.kind = Kind.SUBSCRIPTION;
      this.invoker = requireNonNull(invoker, "invoker");
      return this;
    }

    /** Checks requests before the service sees them; throw INVALID_ARGUMENT from it. */
    public Builder<S, I, O> validator(Consumer<? super I> validator) {
      this.validator = requireNonNull(validator, "validator");
      return this;
    }

    /** Marks the operation as writing (GraphQL mutation, REST POST by default). */
    public Builder<S, I, O> mutation() {
      if (kind == Kind.SUBSCRIPTION) {
        throw new IllegalStateException(name + ": a streaming operation cannot be a mutation");
      }
      this.kind = Kind.MUTATION;
      return this;
    }

    /** Sets the gRPC method name (default: the name, capitalized). */
    public Builder<S, I, O> grpcMethod(String method) {
      this.grpcMethod = requireNonNull(method, "method");
      return this;
    }

    /** Sets the gRPC wrapper message and its repeated field for a list answer. */
    public Builder<S, I, O> grpcResponse(String message, String field) {
      this.grpcResponseMessage = requireNonNull(message, "message");
      this.grpcResponseField = requireNonNull(field, "field");
      return this;
    }

    /** Sets the REST method and path (default: GET or POST {@code /service/operation-name}). */
    public Builder<S, I, O> rest(String method, String path) {
      this.restMethod = requireNonNull(method, "method").toUpperCase(Locale.ROOT);
      this.restPath = requireNonNull(path, "path");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
      }
      return this;
    }

    /** Sets the HTTP method of the default REST path. */
    Builder<S, I, O> restMethod(String method) {
      this.restMethod = requireNonNull(method, "method").toUpperCase(Locale.ROOT);
      return this;
    }

    /**
     * Lets a REST POST come with a form, plain text or an empty body, as any web page can send it
     * cross-site; see {@link Operation#restSimpleRequests()}.
     */
    public Builder<S, I, O> restSimpleRequests() {
      this.restSimpleRequests = true;
      return this;
    }

    /** Sets the GraphQL field name (default: the name). */
    public Builder<S, I, O> graphqlField(String field) {
      this.graphqlField = requireNonNull(field, "field");
      return this;
    }

    /** Also spreads the output's fields on the GraphQL root Query. */
    public Builder<S, I, O> graphqlRootFields() {
      this.graphqlRootFields = true;
      return this;
    }

    /** Sets the Socket.IO event (default: {@code service:name}). */
    public Builder<S, I, O> event(String eventName) {
      this.event = requireNonNull(eventName, "eventName");
      return this;
    }

    /** Sets the Socket.IO event a streaming operation's values arrive as (default: its event). */
    public Builder<S, I, O> itemEvent(String eventName) {
      this.itemEvent = requireNonNull(eventName, "eventName");
      return this;
    }

    /** Publishes each successful call's value under {@code eventName} (Socket.IO broadcasts it). */
    public Builder<S, I, O> publishes(String eventName) {
      this.publishes = requireNonNull(eventName, "eventName");
      return this;
    }

    /**
     * Requires an authenticated caller with one of {@code anyOf} (any caller when empty), once the
     * server authenticates.
     */
    public Builder<S, I, O> requireRoles(String... anyOf) {
      this.roles = Set.of(anyOf);
      this.authenticated = true;
      return this;
    }

    Operation<S, I, O> build(String service, String grpcService) {
      if (graphqlRootFields && (kind != Kind.QUERY || !input.fields().isEmpty() || many)) {
        throw new IllegalStateException(
            name + ": root fields need a query without input and one output");
      }
      if (kind == Kind.SUBSCRIPTION && (many || publishes != null)) {
        throw new IllegalStateException(
            name + ": a streaming operation neither answers a list nor publishes");
      }
      return new Operation<>(this, service, grpcService);
    }
  }
}
