package dev.ipc.graphql;

import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.InvalidValueException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.Reply;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.BoundService;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.StreamHandle;
import graphql.Scalars;
import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLArgument;
import graphql.schema.GraphQLCodeRegistry;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.LightDataFetcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds the GraphQL schema from the services' descriptors, with no per-service code: each query
 * operation is a field of {@code Query}, each mutation a field of {@code Mutation}, each streaming
 * operation a field of {@code Subscription} (its output type non-null: one value per event), named
 * by {@link Operation#graphqlField()}, with the input's fields as arguments; operations marked
 * {@link Operation#graphqlRootFields()} also spread their output's fields on {@code Query} (the
 * article's {@code { name hobby }}).
 *
 * <p>Data fetchers call the service on the thread that executes the query, which the transport
 * makes an executor thread, never an event loop.
 */
final class SchemaFactory {
  /**
   * GraphQLContext key of the map of mutation result keys whose create-or-replace created the
   * value.
   */
  static final String CREATED = "dev.ipc.graphql.created";

  /** The field {@code Query} gets when no service has a query, since GraphQL needs one. */
  static final String SERVICES_FIELD = "_services";

  private SchemaFactory() {}

  static GraphQLSchema build(List<BoundService> services) {
    GraphqlTypes types = new GraphqlTypes();
    GraphQLCodeRegistry.Builder code = GraphQLCodeRegistry.newCodeRegistry();
    Map<String, GraphQLFieldDefinition> query = new LinkedHashMap<>();
    Map<String, GraphQLFieldDefinition> mutation = new LinkedHashMap<>();
    Map<String, GraphQLFieldDefinition> subscription = new LinkedHashMap<>();
    Map<String, String> owners = new LinkedHashMap<>();

    // The article's root fields come first, as its schema lists them.
    for (BoundService s : services) {
      for (BoundOperation bound : s.operations()) {
        Operation<?, ?, ?> op = bound.operation();
        if (!op.graphqlRootFields()) {
          continue;
        }
        for (Field f : op.output().fields()) {
          add(
              query,
              owners,
              "Query",
              GraphQLFieldDefinition.newFieldDefinition()
                  .name(f.name())
                  .type(types.output(op.output(), f))
                  .build(),
              op);
          code.dataFetcher(
              FieldCoordinates.coordinates("Query", f.name()), new RootField(bound, f));
        }
      }
    }
    for (BoundService s : services) {
      for (BoundOperation bound : s.operations()) {
        Operation<?, ?, ?> op = bound.operation();
        String parent =
            switch (op.kind()) {
              case QUERY -> "Query";
              case MUTATION -> "Mutation";
              case SUBSCRIPTION -> "Subscription";
            };
        GraphQLFieldDefinition.Builder fd =
            GraphQLFieldDefinition.newFieldDefinition()
                .name(op.graphqlField())
                .type(outputOf(types, op));
        for (Field f : op.input().fields()) {
          fd.argument(
              GraphQLArgument.newArgument()
                  .name(f.name())
                  .type(types.input(op.input(), f))
                  .build());
        }
        add(
            switch (op.kind()) {
              case QUERY -> query;
              case MUTATION -> mutation;
              case SUBSCRIPTION -> subscription;
            },
            owners,
            parent,
            fd.build(),
            op);
        code.dataFetcher(
            FieldCoordinates.coordinates(parent, op.graphqlField()),
            op.streaming() ? new Subscribe(bound) : new Call(bound));
      }
    }
    if (query.isEmpty()) {
      List<String> names = services.stream().map(s -> s.descriptor().name()).toList();
      query.put(
          SERVICES_FIELD,
          GraphQLFieldDefinition.newFieldDefinition()
              .name(SERVICES_FIELD)
              .description("The services this server offers; they have mutations only.")
              .type(
                  GraphQLNonNull.nonNull(
                      GraphQLList.list(GraphQLNonNull.nonNull(Scalars.GraphQLString))))
              .build());
      code.dataFetcher(
          FieldCoordinates.coordinates("Query", SERVICES_FIELD), (DataFetcher<?>) env -> names);
    }
    for (RecordType<?> record : types.records()) {
      for (Field f : record.fields()) {
        code.dataFetcher(FieldCoordinates.coordinates(record.name(), f.name()), new Property(f));
      }
      if (record.fields().isEmpty()) {
        code.dataFetcher(
            FieldCoordinates.coordinates(record.name(), GraphqlTypes.EMPTY_FIELD),
            (DataFetcher<?>) env -> true);
      }
    }
    types
        .entries()
        .forEach(
            (name, f) -> {
              code.dataFetcher(
                  FieldCoordinates.coordinates(name, GraphqlTypes.KEY), EntryKey.INSTANCE);
              code.dataFetcher(
                  FieldCoordinates.coordinates(name, GraphqlTypes.VALUE), new EntryValue(f));
            });
    GraphQLSchema.Builder schema =
        GraphQLSchema.newSchema()
            .query(
                GraphQLObjectType.newObject().name("Query").fields(new ArrayList<>(query.values())))
            .codeRegistry(code.build());
    if (!mutation.isEmpty()) {
      schema.mutation(
          GraphQLObjectType.newObject()
              .name("Mutation")
              .fields(new ArrayList<>(mutation.values())));
    }
    if (!subscription.isEmpty()) {
      schema.subscription(
          GraphQLObjectType.newObject()
              .name("Subscription")
              .fields(new ArrayList<>(subscription.values())));
    }
    return schema.build();
  }

  /**
   * Returns whether {@code op} answers nothing (a {@code void} method): GraphQL has no empty object
   * types, so its field is a {@code Boolean}, true when the call succeeded.
   */
  static boolean answersNothing(Operation<?, ?, ?> op) {
    return op.output().fields().isEmpty() && !op.many();
  }

  private static graphql.schema.GraphQLOutputType outputOf(
      GraphqlTypes types, Operation<?, ?, ?> op) {
    if (op.streaming()) {
      // Each event is one value: a failed stream ends with an error message, never a null event.
      return op.output().fields().isEmpty()
          ? GraphQLNonNull.nonNull(Scalars.GraphQLBoolean)
          : GraphQLNonNull.nonNull(types.object(op.output()));
    }
    if (answersNothing(op)) {
      return Scalars.GraphQLBoolean;
    }
    GraphQLObjectType object = types.object(op.output());
    // Nullable at the top, so one failed field leaves the rest of the answer in `data`.
    return op.many() ? GraphQLList.list(GraphQLNonNull.nonNull(object)) : object;
  }

  private static void add(
      Map<String, GraphQLFieldDefinition> fields,
      Map<String, String> owners,
      String parent,
      GraphQLFieldDefinition field,
      Operation<?, ?, ?> op) {
    String key = parent + "." + field.getName();
    String previous = owners.putIfAbsent(key, op.toString());
    if (previous != null) {
      throw new IllegalStateException(
          "GraphQL field " + key + " is claimed by both " + previous + " and " + op);
    }
    fields.put(field.getName(), field);
  }

  /** Calls one operation with the field's arguments as its request. */
  private static final class Call implements DataFetcher<Object> {
    private final BoundOperation bound;
    private final RecordType<?> input;
    private final boolean nothing;

    Call(BoundOperation bound) {
      this.bound = bound;
      this.input = bound.operation().input();
      this.nothing = answersNothing(bound.operation());
    }

    @Override
    public Object get(DataFetchingEnvironment env) {
      try {
        Object request = request(input, env);
        Reply reply = call(bound, request, env.getGraphQlContext().get(CallHeaders.KEY));
        if (reply.created()) {
          Map<String, Boolean> created = env.getGraphQlContext().get(CREATED);
          if (created != null) {
            created.put(env.getField().getResultKey(), Boolean.TRUE);
          }
        }
        return nothing ? true : reply.value();
      } catch (ServiceException e) {
        return DataFetcherResult.newResult().error(Errors.of(e, env)).build();
      }
    }
  }

  /**
   * Opens one operation's stream with the field's arguments as its request, as coming from the
   * request's source: authentication, roles and interceptors run now, so a refused subscription is
   * a field error before anything streams. Answers the {@link StreamBridge} graphql-java subscribes
   * to.
   */
  private static final class Subscribe implements DataFetcher<Object> {
    private final BoundOperation bound;
    private final RecordType<?> input;

    Subscribe(BoundOperation bound) {
      this.bound = bound;
      this.input = bound.operation().input();
    }

    @Override
    public Object get(DataFetchingEnvironment env) {
      try {
        Object request = request(input, env);
        CallHeaders headers = env.getGraphQlContext().get(CallHeaders.KEY);
        StreamBridge bridge = new StreamBridge();
        StreamHandle handle;
        if (headers == null) {
          handle = bound.stream(request, CallSource.of(CallHeaders.TRANSPORT), m -> {}, bridge);
        } else {
          try {
            handle = bound.stream(request, headers.source(), headers::add, bridge);
          } catch (ServiceException e) {
            headers.failed(e);
            throw e;
          }
        }
        bridge.opened(handle);
        Object nothing = op().output().fields().isEmpty() ? Boolean.TRUE : null;
        return nothing == null ? bridge : new Mapped(bridge, nothing);
      } catch (ServiceException e) {
        return DataFetcherResult.newResult().error(Errors.of(e, env)).build();
      }
    }

    private Operation<?, ?, ?> op() {
      return bound.operation();
    }
  }

  /**
   * A stream of a record with no fields, whose events are {@code true} (GraphQL has no empty
   * objects).
   */
  private record Mapped(StreamBridge bridge, Object value)
      implements java.util.concurrent.Flow.Publisher<Object> {
    @Override
    public void subscribe(java.util.concurrent.Flow.Subscriber<? super Object> s) {
      bridge.subscribe(
          new java.util.concurrent.Flow.Subscriber<Object>() {
            @Override
            public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
              s.onSubscribe(subscription);
            }

            @Override
            public void onNext(Object item) {
              s.onNext(value);
            }

            @Override
            public void onError(Throwable t) {
              s.onError(t);
            }

            @Override
            public void onComplete() {
              s.onComplete();
            }
          });
    }
  }

  /**
   * The field's arguments as the operation's request; a value that does not fit its field is the
   * caller's INVALID_ARGUMENT, a field error like the service's own.
   */
  private static Object request(RecordType<?> input, DataFetchingEnvironment env) {
    try {
      return input.create(GraphqlTypes.arguments(input, env.getArguments()));
    } catch (InvalidValueException e) {
      throw ServiceException.from(e);
    }
  }

  /**
   * Calls {@code bound} as coming from the request's source, its response metadata and refusal kept
   * for the HTTP answer; without {@code headers} (the engine used alone) as an anonymous GraphQL
   * call.
   */
  static Reply call(BoundOperation bound, Object request, CallHeaders headers) {
    if (headers == null) {
      return bound.call(request, CallSource.of(CallHeaders.TRANSPORT), m -> {});
    }
    try {
      return bound.call(request, headers.source(), headers::add);
    } catch (ServiceException e) {
      headers.failed(e);
      throw e;
    }
  }

  /**
   * Reads one of the output fields spread on {@code Query}; the operation runs once per request
   * however many of its fields the query selects.
   */
  private static final class RootField implements DataFetcher<Object> {
    private final BoundOperation bound;
    private final Field field;
    private final Object request;

    RootField(BoundOperation bound, Field field) {
      this.bound = bound;
      this.field = field;
      this.request = bound.operation().input().create(new Object[0]);
    }

    @Override
    public Object get(DataFetchingEnvironment env) {
      CallHeaders headers = env.getGraphQlContext().get(CallHeaders.KEY);
      Outcome outcome =
          env.getGraphQlContext().computeIfAbsent(bound, k -> Outcome.of(bound, request, headers));
      if (outcome.error() != null) {
        return DataFetcherResult.newResult().error(Errors.of(outcome.error(), env)).build();
      }
      return GraphqlTypes.answer(field, field.get(outcome.value()));
    }
  }

  private record Outcome(Object value, ServiceException error) {
    static Outcome of(BoundOperation bound, Object request, CallHeaders headers) {
      try {
        return new Outcome(call(bound, request, headers).value(), null);
      } catch (ServiceException e) {
        return new Outcome(null, e);
      }
    }
  }

  /** Reads a record's field through the model, never through reflection on its class. */
  private static final class Property implements LightDataFetcher<Object> {
    private final Field field;

    Property(Field field) {
      this.field = field;
    }

    @Override
    public Object get(
        GraphQLFieldDefinition definition, Object source, Supplier<DataFetchingEnvironment> env) {
      return GraphqlTypes.answer(field, field.get(source));
    }

    @Override
    public Object get(DataFetchingEnvironment env) {
      return GraphqlTypes.answer(field, field.get(env.getSource()));
    }
  }

  /** Reads the key of a map's entry ({@link GraphqlTypes#answer} answers a map as its entries). */
  private enum EntryKey implements LightDataFetcher<Object> {
    INSTANCE;

    @Override
    public Object get(
        GraphQLFieldDefinition definition, Object source, Supplier<DataFetchingEnvironment> env) {
      return ((Map.Entry<?, ?>) source).getKey();
    }

    @Override
    public Object get(DataFetchingEnvironment env) {
      return ((Map.Entry<?, ?>) env.getSource()).getKey();
    }
  }

  /** Reads the value of an entry of {@code field}, a map. */
  private static final class EntryValue implements LightDataFetcher<Object> {
    private final Field field;

    EntryValue(Field field) {
      this.field = field;
    }

    @Override
    public Object get(
        GraphQLFieldDefinition definition, Object source, Supplier<DataFetchingEnvironment> env) {
      return GraphqlTypes.answerElement(field, ((Map.Entry<?, ?>) source).getValue());
    }

    @Override
    public Object get(DataFetchingEnvironment env) {
      return GraphqlTypes.answerElement(field, ((Map.Entry<?, ?>) env.getSource()).getValue());
    }
  }
}
