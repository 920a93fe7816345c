package dev.ipc.graphql;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.Reply;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.BoundService;
import dev.ipc.core.spi.CallSource;
import graphql.ErrorType;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.ParseAndValidate;
import graphql.ParseAndValidateResult;
import graphql.execution.SubscriptionExecutionStrategy;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.introspection.Introspection;
import graphql.language.Document;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.parser.ParserOptions;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphqlTypeComparatorRegistry;
import graphql.schema.idl.SchemaPrinter;
import graphql.validation.GoodFaithIntrospectionExceeded;
import graphql.validation.QueryComplexityLimits;
import graphql.validation.ValidationError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.reactivestreams.FlowAdapters;

/**
 * Executes GraphQL requests against the schema generated from the served descriptors, with the
 * limits a public endpoint needs and a cache of parsed and validated documents. Transport-free: the
 * HTTP layer hands it a query, operation name and variables and gets a status and a response body
 * back. Call it on an executor thread: the service runs on the calling thread. Thread-safe.
 */
final class GraphqlEngine {
  /**
   * What the engine enforces; see {@link GraphqlTransport.Builder} for the meaning and defaults.
   */
  record Limits(
      int maxDepth,
      int maxFields,
      int maxTokens,
      int maxAliases,
      boolean introspection,
      int cacheSize) {}

  /**
   * One GraphQL request: the document, the operation to run (or null) and the variables (or empty).
   */
  record Request(String query, String operationName, Map<String, Object> variables) {}

  /**
   * What to answer: the HTTP status (200 when {@code data} is present, 400 for a request error that
   * ran nothing, 405 for a mutation over GET), the response body in GraphQL's form (null for a
   * started subscription), the headers the calls asked for (alternating names and values; see
   * {@link CallHeaders}), whether the operation was a subscription, and the stream of a started
   * one.
   */
  record Result(
      int status,
      Map<String, Object> body,
      List<String> headers,
      boolean subscription,
      Flow.Publisher<ExecutionResult> stream) {
    Result(int status, Map<String, Object> body) {
      this(status, body, List.of(), false, null);
    }
  }

  /**
   * Which operations a request may run: over {@code GET} no mutation, over a plain {@code POST} no
   * subscription (an answer of one body has nowhere to stream), over a WebSocket or Server-Sent
   * Events any operation.
   */
  enum Allowed {
    /** A plain {@code GET}: queries. */
    QUERIES,
    /** A plain {@code POST}: queries and mutations. */
    QUERIES_AND_MUTATIONS,
    /** Server-Sent Events over {@code GET}: queries and subscriptions. */
    QUERIES_AND_SUBSCRIPTIONS,
    /** A WebSocket or Server-Sent Events over {@code POST}: every operation. */
    ALL;

    boolean allows(OperationDefinition.Operation op) {
      return switch (op) {
        case QUERY -> true;
        case MUTATION -> this == QUERIES_AND_MUTATIONS || this == ALL;
        case SUBSCRIPTION -> this == QUERIES_AND_SUBSCRIPTIONS || this == ALL;
      };
    }
  }

  private final GraphQLSchema schema;
  private final GraphQL graphql;
  private final DocumentCache cache;
  private final Limits limits;
  private final ParserOptions parserOptions;
  private final QueryComplexityLimits complexity;
  private final String sdl;

  GraphqlEngine(List<BoundService> services, Limits limits) {
    this.limits = limits;
    this.schema = SchemaFactory.build(services);
    this.parserOptions =
        ParserOptions.getDefaultOperationParserOptions()
            .transform(b -> b.maxTokens(limits.maxTokens()));
    this.complexity =
        QueryComplexityLimits.newLimits()
            .maxDepth(limits.maxDepth())
            .maxFieldsCount(limits.maxFields())
            .build();
    this.cache = new DocumentCache(limits.cacheSize(), this::parseAndValidate);
    this.graphql =
        GraphQL.newGraphQL(schema)
            .preparsedDocumentProvider(cache)
            .defaultDataFetcherExceptionHandler(Errors.HideDetails.INSTANCE)
            .build();
    this.sdl = print(schema);
  }

  /**
   * Returns the SDL {@code GET /graphql/schema.graphql} would serve for {@code services}, without
   * implementations: the schema depends on the descriptions only.
   *
   * @throws IllegalStateException if two operations claim one field or a type is described twice
   */
  static String sdl(List<ServiceDescriptor<?>> services) {
    List<BoundService> bound = new ArrayList<>(services.size());
    for (ServiceDescriptor<?> d : services) {
      List<BoundOperation> ops = new ArrayList<>();
      for (Operation<?, ?, ?> op : d.operations()) {
        ops.add(
            new BoundOperation() {
              @Override
              public Operation<?, ?, ?> operation() {
                return op;
              }

              @Override
              public Reply call(
                  Object request, CallSource source, Consumer<Metadata> responseMetadata) {
                throw new ServiceException(ErrorCode.UNIMPLEMENTED, "not served: " + op);
              }
            });
      }
      bound.add(
          new BoundService() {
            @Override
            public ServiceDescriptor<?> descriptor() {
              return d;
            }

            @Override
            public List<BoundOperation> operations() {
              return ops;
            }
          });
    }
    return print(SchemaFactory.build(bound));
  }

  private static String print(GraphQLSchema schema) {
    // Fields in the order the descriptors give them, so the article's Query fields come first.
    return new SchemaPrinter(
            SchemaPrinter.Options.defaultOptions()
                .includeDirectives(false)
                .includeScalarTypes(true)
                .includeSchemaDefinition(false)
                .setComparators(GraphqlTypeComparatorRegistry.AS_IS_REGISTRY))
        .print(schema);
  }

  GraphQLSchema schema() {
    return schema;
  }

  /** Returns whether clients may introspect the schema. */
  boolean introspection() {
    return limits.introspection();
  }

  /** Returns the schema in SDL, as {@code GET /graphql/schema.graphql} serves it. */
  String sdl() {
    return sdl;
  }

  DocumentCache cache() {
    return cache;
  }

  /**
   * Runs {@code request} as an anonymous in-process caller. With {@code readOnly} (a GET), an
   * operation other than a query is refused with 405 before anything runs.
   */
  Result execute(Request request, boolean readOnly) {
    return execute(request, readOnly, null);
  }

  /**
   * Runs {@code request}, its operations called as coming from {@code source} (null: an anonymous
   * in-process caller). With {@code readOnly} (a GET), an operation other than a query is refused
   * with 405 before anything runs.
   */
  Result execute(Request request, boolean readOnly, CallSource source) {
    return execute(request, readOnly ? Allowed.QUERIES : Allowed.QUERIES_AND_MUTATIONS, source);
  }

  /**
   * Runs {@code request}, its operations called as coming from {@code source} (null: an anonymous
   * in-process caller), refusing an operation {@code allowed} does not include with 405 (a mutation
   * over GET) or 400 (a subscription without a stream to answer on) before anything runs. A
   * subscription that started answers status 200, no body and its {@link Result#stream() stream} of
   * results, which the caller must subscribe to (and cancel when it no longer wants it): the
   * service's stream is open. A subscription refused (authentication, roles, the service) answers
   * its errors as a body, with {@code data} null.
   */
  Result execute(Request request, Allowed allowed, CallSource source) {
    CallHeaders headers = source == null ? null : new CallHeaders(source);
    Map<String, Boolean> created = new ConcurrentHashMap<>();
    ExecutionInput input =
        ExecutionInput.newExecutionInput()
            .query(request.query())
            .operationName(request.operationName())
            .variables(request.variables())
            .graphQLContext(
                b -> {
                  b.put(ParserOptions.class, parserOptions);
                  b.put(QueryComplexityLimits.KEY, complexity);
                  b.put(SchemaFactory.CREATED, created);
                  if (headers != null) {
                    b.put(CallHeaders.KEY, headers);
                  }
                  if (!limits.introspection()) {
                    b.put(Introspection.INTROSPECTION_DISABLED, true);
                  }
                })
            .build();
    PreparsedDocumentEntry entry = cache.entry(input);
    if (entry.hasErrors()) {
      return new Result(400, body(entry.getErrors(), false, null, null));
    }
    OperationDefinition op = operation(entry.getDocument(), request.operationName());
    if (op != null && !allowed.allows(op.getOperation())) {
      String kind = op.getOperation().name().toLowerCase(java.util.Locale.ROOT);
      boolean subscription = op.getOperation() == OperationDefinition.Operation.SUBSCRIPTION;
      GraphQLError error =
          GraphqlErrorBuilder.newError()
              .message(
                  "operation: "
                      + kind
                      + (subscription
                          ? " (expected: over a WebSocket with the graphql-transport-ws subprotocol, or"
                              + " Server-Sent Events: Accept: text/event-stream)"
                          : " (expected: a query over GET; send other operations with POST)"))
              .errorType(ErrorType.OperationNotSupported)
              .build();
      return new Result(subscription ? 400 : 405, body(List.of(error), false, null, null));
    }
    input.getGraphQLContext().put(DocumentCache.ENTRY, entry);
    // Events in the order the stream has them (our fetchers answer at once, so this costs nothing).
    input
        .getGraphQLContext()
        .put(SubscriptionExecutionStrategy.KEEP_SUBSCRIPTION_EVENTS_ORDERED, true);
    ExecutionResult result = graphql.execute(input);
    if (result.isDataPresent()
        && result.getData() instanceof org.reactivestreams.Publisher<?> events) {
      @SuppressWarnings("unchecked")
      Flow.Publisher<ExecutionResult> stream =
          FlowAdapters.toFlowPublisher((org.reactivestreams.Publisher<ExecutionResult>) events);
      return new Result(200, null, headers == null ? List.of() : headers.headers(), true, stream);
    }
    Map<String, Object> extensions = null;
    if (!created.isEmpty()) {
      extensions = new LinkedHashMap<>();
      extensions.put("created", new LinkedHashMap<>(created));
    }
    List<GraphQLError> errors = result.getErrors();
    if (!result.isDataPresent() && !errors.isEmpty()) {
      // Nothing ran: perhaps a variable was refused; say which field of it.
      errors =
          VariablePaths.name(
              errors,
              schema,
              operation(entry.getDocument(), request.operationName()),
              request.variables());
    }
    return new Result(
        result.isDataPresent() ? 200 : 400,
        body(errors, result.isDataPresent(), result.getData(), extensions),
        headers == null ? List.of() : headers.headers(),
        op != null && op.getOperation() == OperationDefinition.Operation.SUBSCRIPTION,
        null);
  }

  /** Returns the body of one event of a subscription: its data, and errors of its fields if any. */
  static Map<String, Object> event(ExecutionResult result) {
    return body(result.getErrors(), result.isDataPresent(), result.getData(), null);
  }

  /**
   * Returns the errors ending a subscription whose stream failed ({@code error}): the service's
   * error (RESOURCE_EXHAUSTED for a subscriber that fell behind) with its code, as a field error
   * is.
   */
  static List<Map<String, Object>> streamErrors(Throwable error) {
    Throwable t = error;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> errors =
        (List<Map<String, Object>>) failure(ServiceException.from(t)).get("errors");
    return errors;
  }

  /** Returns a response body for a request refused before execution, with the core code. */
  static Map<String, Object> failure(dev.ipc.core.ServiceException e) {
    return body(List.of(Errors.of(e)), false, null, null);
  }

  private static Map<String, Object> body(
      List<? extends GraphQLError> errors,
      boolean dataPresent,
      Object data,
      Map<String, Object> extensions) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (!errors.isEmpty()) {
      // graphql-java's own errors (syntax, validation, coercion) carry no core code: a request that
      // ran
      // nothing was the caller's mistake; a field that broke without a service error is ours.
      String fallback = (dataPresent ? ErrorCode.INTERNAL : ErrorCode.INVALID_ARGUMENT).name();
      List<Map<String, Object>> list = new ArrayList<>(errors.size());
      for (GraphQLError e : errors) {
        Map<String, Object> spec = new LinkedHashMap<>(e.toSpecification());
        if (spec.get("locations") instanceof List<?> l && l.isEmpty()) {
          spec.remove("locations");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> ext = (Map<String, Object>) spec.get("extensions");
        if (ext == null || !ext.containsKey(Errors.CODE)) {
          Map<String, Object> copy = ext == null ? new LinkedHashMap<>() : new LinkedHashMap<>(ext);
          copy.put(Errors.CODE, fallback);
          spec.put("extensions", copy);
        }
        list.add(spec);
      }
      body.put("errors", list);
    }
    if (dataPresent) {
      body.put("data", data);
    }
    if (extensions != null) {
      body.put("extensions", extensions);
    }
    return body;
  }

  private PreparsedDocumentEntry parseAndValidate(ExecutionInput input) {
    ParseAndValidateResult parsed = ParseAndValidate.parse(input);
    if (parsed.isFailure()) {
      return new PreparsedDocumentEntry(parsed.getSyntaxException().toInvalidSyntaxError());
    }
    Document document = parsed.getDocument();
    // Counting aliases is cheap and names the problem; check it before the costlier validation.
    long aliases = new AliasCounter(document).count();
    if (aliases > limits.maxAliases()) {
      GraphQLError error =
          GraphqlErrorBuilder.newError()
              .message("aliases: " + aliases + " (expected: at most " + limits.maxAliases() + ")")
              .errorType(ErrorType.ValidationError)
              .build();
      return new PreparsedDocumentEntry(document, List.of(error));
    }
    List<ValidationError> errors;
    try {
      errors =
          ParseAndValidate.validate(schema, document, rule -> true, input.getLocale(), complexity);
    } catch (GoodFaithIntrospectionExceeded e) {
      return new PreparsedDocumentEntry(document, List.of(e.toBadFaithError()));
    }
    if (!errors.isEmpty()) {
      return new PreparsedDocumentEntry(document, new ArrayList<>(errors));
    }
    return new PreparsedDocumentEntry(document);
  }

  /**
   * Counts the aliases a document's operations select, a fragment's counted at each spread:
   * counting fragment definitions once would let {@code { a { ...F } b { ...F } }} run twice the
   * limit.
   */
  private static final class AliasCounter {
    // Far above any limit; nested spreads can multiply counts, so they saturate here instead of
    // overflowing.
    private static final long CAP = Integer.MAX_VALUE;
    private final Map<String, FragmentDefinition> fragments = new java.util.HashMap<>();
    private final Map<String, Long> counted = new java.util.HashMap<>();

    private final List<OperationDefinition> operations;

    AliasCounter(Document document) {
      this.operations = document.getDefinitionsOfType(OperationDefinition.class);
      for (FragmentDefinition f : document.getDefinitionsOfType(FragmentDefinition.class)) {
        fragments.putIfAbsent(f.getName(), f);
      }
    }

    long count() {
      long n = 0;
      for (OperationDefinition o : operations) {
        n = Math.min(CAP, n + aliases(o.getSelectionSet()));
      }
      return n;
    }

    private long aliases(SelectionSet set) {
      if (set == null) {
        return 0;
      }
      long n = 0;
      for (Selection<?> s : set.getSelections()) {
        if (s instanceof graphql.language.Field f) {
          n += (f.getAlias() != null ? 1 : 0) + aliases(f.getSelectionSet());
        } else if (s instanceof InlineFragment i) {
          n += aliases(i.getSelectionSet());
        } else if (s instanceof FragmentSpread spread) {
          n += fragment(spread.getName());
        }
        n = Math.min(CAP, n);
      }
      return n;
    }

    private long fragment(String name) {
      Long known = counted.get(name);
      if (known != null) {
        return known;
      }
      FragmentDefinition f = fragments.get(name);
      if (f == null) {
        return 0; // validation names the unknown fragment
      }
      counted.put(name, 0L); // a cycle counts once; validation rejects it anyway
      long n = aliases(f.getSelectionSet());
      counted.put(name, n);
      return n;
    }
  }

  private static OperationDefinition operation(Document document, String name) {
    List<OperationDefinition> ops = document.getDefinitionsOfType(OperationDefinition.class);
    if (name == null || name.isEmpty()) {
      return ops.size() == 1 ? ops.get(0) : null;
    }
    for (OperationDefinition op : ops) {
      if (name.equals(op.getName())) {
        return op;
      }
    }
    return null;
  }
}
