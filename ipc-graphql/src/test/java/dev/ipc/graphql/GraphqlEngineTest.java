package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.BoundService;
import graphql.introspection.IntrospectionQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine alone (graphql-java, no HTTP): schema generation, execution, limits and the cache. */
class GraphqlEngineTest {
  private static final GraphqlEngine.Limits DEFAULTS =
      new GraphqlEngine.Limits(
          GraphqlTransport.DEFAULT_MAX_DEPTH,
          GraphqlTransport.DEFAULT_MAX_FIELDS,
          GraphqlTransport.DEFAULT_MAX_TOKENS,
          GraphqlTransport.DEFAULT_MAX_ALIASES,
          true,
          GraphqlTransport.DEFAULT_DOCUMENT_CACHE_SIZE);

  private final GraphqlEngine engine = new GraphqlEngine(Bound.reference(), DEFAULTS);

  private GraphqlEngine.Result run(GraphqlEngine engine, String query) {
    return engine.execute(new GraphqlEngine.Request(query, null, Map.of()), false);
  }

  @Test
  void schema_keepsTheArticlesRootFieldsFirst() {
    assertThat(engine.sdl())
        .contains("type Query {\n  name: String\n  age: Int\n  sex: Boolean!\n  hobby: [String]\n")
        .contains("  tasks: [Task!]\n  task(id: Long!): Task\n  person: Person\n}")
        .contains(
            "type Mutation {\n  eating(food: String!): Feel\n  watchMovie(film: String!): Feel\n"
                + "  putTask(id: Long!, name: String!): Task\n}")
        .contains("type Task {\n  id: Long!\n  name: String!\n}")
        .contains("scalar Long");
  }

  @Test
  void execute_articleQuery() {
    GraphqlEngine.Result r = run(engine, "{name\nhobby}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            Map.of(
                "data",
                Map.of(
                    "name",
                    "Rootkit",
                    "hobby",
                    List.of("Coding", "Badminton", "Billiards", "Reading", "Guitar"))));
  }

  @Test
  void longScalar_isANumberOutAndTakesIntegersOrDigitStringsIn() {
    assertThat(run(engine, "{ task(id: 2) { id name } }").body())
        .isEqualTo(Map.of("data", Map.of("task", Map.of("id", 2L, "name", "task2"))));
    assertThat(run(engine, "{ task(id: \"3\") { id } }").body())
        .isEqualTo(Map.of("data", Map.of("task", Map.of("id", 3L))));
    GraphqlEngine.Result tooBig = run(engine, "{ task(id: 9223372036854775808) { id } }");
    assertThat(tooBig.status()).isEqualTo(400);
    GraphqlEngine.Result viaVariable =
        engine.execute(
            new GraphqlEngine.Request(
                "query($id: Long!) { task(id: $id) { name } }", null, Map.of("id", "1")),
            false);
    assertThat(viaVariable.body())
        .isEqualTo(Map.of("data", Map.of("task", Map.of("name", "task1"))));
  }

  @Test
  void serviceError_keepsTheRestOfTheData() {
    GraphqlEngine.Result r = run(engine, "{ name task(id: 42) { id } }");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body())
        .containsEntry("data", java.util.Collections.unmodifiableMap(dataWithNullTask()));
    @SuppressWarnings("unchecked")
    Map<String, Object> error = ((List<Map<String, Object>>) r.body().get("errors")).get(0);
    assertThat(error)
        .containsEntry("message", "task 42 not found")
        .containsEntry("path", List.of("task"))
        .containsEntry("extensions", Map.of("code", "NOT_FOUND", "classification", "NOT_FOUND"));
  }

  private static Map<String, Object> dataWithNullTask() {
    Map<String, Object> data = new java.util.LinkedHashMap<>();
    data.put("name", "Rootkit");
    data.put("task", null);
    return data;
  }

  @Test
  void rootFields_callTheOperationOncePerRequest() {
    int[] calls = {0};
    dev.ipc.core.PersonService counting =
        () -> {
          calls[0]++;
          return new dev.ipc.core.Person("Rootkit", 99, true, List.of("Coding"));
        };
    GraphqlEngine e =
        new GraphqlEngine(
            List.of(Bound.of(dev.ipc.core.PersonService.DESCRIPTOR, counting)), DEFAULTS);
    assertThat(run(e, "{ name age sex hobby }").status()).isEqualTo(200);
    assertThat(calls[0]).isEqualTo(1);
  }

  @Test
  void cache_repeatedQuerySkipsParseAndValidation() {
    DocumentCache cache = engine.cache();
    run(engine, "{ tasks { id name } }");
    assertThat(cache.misses()).isEqualTo(1);
    assertThat(cache.hits()).isZero();
    for (int i = 0; i < 3; i++) {
      assertThat(run(engine, "{ tasks { id name } }").status()).isEqualTo(200);
    }
    assertThat(cache.misses()).isEqualTo(1);
    assertThat(cache.hits()).isEqualTo(3);
    run(engine, "{ nope }");
    run(engine, "{ nope }");
    assertThat(cache.misses()).isEqualTo(2);
    assertThat(cache.hits()).isEqualTo(4);
  }

  @Test
  void cache_staysBounded() {
    GraphqlEngine small =
        new GraphqlEngine(
            Bound.reference(), new GraphqlEngine.Limits(15, 500, 15_000, 30, true, 2));
    for (int i = 0; i < 10; i++) {
      run(small, "{ task(id: " + (i + 1) + ") { id } }");
    }
    assertThat(small.cache().size()).isLessThanOrEqualTo(2);
    assertThat(small.cache().chars()).isLessThanOrEqualTo(2L * "{ task(id: 10) { id } }".length());
    GraphqlEngine none =
        new GraphqlEngine(
            Bound.reference(), new GraphqlEngine.Limits(15, 500, 15_000, 30, true, 0));
    run(none, "{ name }");
    run(none, "{ name }");
    assertThat(none.cache().misses()).isEqualTo(2);
    // A huge document is answered but not kept.
    String huge = "{ name }" + " ".repeat(DocumentCache.MAX_QUERY_CHARS);
    assertThat(run(engine, huge).status()).isEqualTo(200);
    assertThat(run(engine, huge).status()).isEqualTo(200);
    assertThat(engine.cache().size()).isZero();
    assertThat(engine.cache().misses()).isEqualTo(2);
  }

  @Test
  void limits_depth() {
    String deep = nested(100);
    GraphqlEngine.Result r = run(engine, deep);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().toString())
        .contains("depth 16 exceeds maximum allowed depth 15")
        .contains("INVALID_ARGUMENT");
    GraphqlEngine shallow =
        new GraphqlEngine(
            Bound.reference(), new GraphqlEngine.Limits(1, 500, 15_000, 30, true, 10));
    assertThat(run(shallow, "{ name }").status()).isEqualTo(200);
    assertThat(run(shallow, "{ tasks { id } }").status()).isEqualTo(400);
  }

  @Test
  void limits_fields() {
    GraphqlEngine few =
        new GraphqlEngine(Bound.reference(), new GraphqlEngine.Limits(15, 3, 15_000, 30, true, 10));
    assertThat(run(few, "{ tasks { id name } }").status()).isEqualTo(200);
    GraphqlEngine.Result r = run(few, "{ tasks { id name } person { name } }");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().toString()).contains("4 fields which exceeds maximum allowed 3");
  }

  @Test
  void limits_tokens() {
    GraphqlEngine few =
        new GraphqlEngine(Bound.reference(), new GraphqlEngine.Limits(15, 500, 10, 30, true, 10));
    assertThat(run(few, "{ name hobby }").status()).isEqualTo(200);
    GraphqlEngine.Result r = run(few, "{ name hobby age sex tasks { id name } }");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().toString()).contains("InvalidSyntax").contains("tokens");
  }

  @Test
  void limits_aliases() {
    StringBuilder q = new StringBuilder("{");
    for (int i = 0; i < 1000; i++) {
      q.append(" a").append(i).append(": name");
    }
    GraphqlEngine.Result r = run(engine, q.append(" }").toString());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().toString()).contains("aliases: 1000 (expected: at most 30)");
    assertThat(run(engine, "{ a: name b: name }").status()).isEqualTo(200);
  }

  @Test
  void limits_aliasesInAFragmentCountAtEachSpread() {
    GraphqlEngine two =
        new GraphqlEngine(
            Bound.reference(), new GraphqlEngine.Limits(15, 500, 15_000, 2, true, 10));
    String once = "{ tasks { ...F } } fragment F on Task { a: id b: name }";
    assertThat(run(two, once).status()).isEqualTo(200);
    GraphqlEngine.Result twice =
        run(two, "{ tasks { ...F } task(id: 1) { ...F } } fragment F on Task { a: id b: name }");
    assertThat(twice.status()).isEqualTo(400);
    assertThat(twice.body().toString()).contains("aliases: 4 (expected: at most 2)");
  }

  @Test
  void introspection_standardQueryPassesTheDefaultLimits() {
    GraphqlEngine.Result r = run(engine, IntrospectionQuery.INTROSPECTION_QUERY);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    assertThat(r.body().toString()).contains("Long").contains("putTask");
  }

  @Test
  void introspection_canBeSwitchedOff() {
    GraphqlEngine closed =
        new GraphqlEngine(
            Bound.reference(), new GraphqlEngine.Limits(15, 500, 15_000, 30, false, 10));
    GraphqlEngine.Result r = run(closed, "{ __schema { types { name } } }");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).doesNotContainKey("data");
    assertThat(run(closed, "{ name }").status()).isEqualTo(200);
  }

  @Test
  void mutationOverGet_isRefusedBeforeRunning() {
    GraphqlEngine.Result r =
        engine.execute(
            new GraphqlEngine.Request(
                "mutation { putTask(id: 9, name: \"x\") { id } }", null, Map.of()),
            true);
    assertThat(r.status()).isEqualTo(405);
    assertThat(run(engine, "{ task(id: 9) { id } }").body().toString()).contains("NOT_FOUND");
  }

  @Test
  void put_reportsCreatedInExtensions() {
    GraphqlEngine.Result created = run(engine, "mutation { putTask(id: 9, name: \"x\") { id } }");
    assertThat(created.body())
        .containsEntry("extensions", Map.of("created", Map.of("putTask", true)));
    GraphqlEngine.Result replaced = run(engine, "mutation { putTask(id: 9, name: \"y\") { id } }");
    assertThat(replaced.body()).doesNotContainKey("extensions");
  }

  @Test
  void unexpectedFailure_isInternalWithoutDetails() {
    dev.ipc.core.PersonService broken =
        () -> {
          throw new IllegalStateException("secret");
        };
    GraphqlEngine e =
        new GraphqlEngine(
            List.of(Bound.of(dev.ipc.core.PersonService.DESCRIPTOR, broken)), DEFAULTS);
    GraphqlEngine.Result r = run(e, "{ person { name } }");
    assertThat(r.body().toString())
        .contains("internal error")
        .contains("INTERNAL")
        .doesNotContain("secret");
  }

  // A model the built-in services do not use: nested records, lists of records, doubles, int64
  // lists.
  record Point(double x, double y) {}

  record Shape(String name, List<Point> points, List<Long> tags, Point center) {}

  record ByName(String name) {}

  interface Shapes {
    Shape save(Shape shape);

    List<Shape> find(ByName name);
  }

  private static final ServiceDescriptor<Shapes> SHAPES =
      ServiceDescriptor.builder(Shapes.class, "shapes")
          .operation(
              Operation.<Shapes, Shape, Shape>builder(
                      "save", RecordType.of(Shape.class), RecordType.of(Shape.class))
                  .invoker(Shapes::save)
                  .mutation())
          .operation(
              Operation.<Shapes, ByName, Shape>builder(
                      "find", RecordType.of(ByName.class), RecordType.of(Shape.class))
                  .manyInvoker(Shapes::find))
          .build();

  @Test
  void anyModel_nestedRecordsListsAndDoublesRoundTrip() {
    List<Shape> saved = new ArrayList<>();
    Shapes impl =
        new Shapes() {
          @Override
          public Shape save(Shape shape) {
            saved.add(shape);
            return shape;
          }

          @Override
          public List<Shape> find(ByName name) {
            return saved.stream().filter(s -> s.name().equals(name.name())).toList();
          }
        };
    List<BoundService> services = List.of(Bound.of(SHAPES, impl));
    GraphqlEngine e = new GraphqlEngine(services, DEFAULTS);
    assertThat(e.sdl())
        .contains(
            "save(name: String, points: [PointInput], tags: [Long], center: PointInput): Shape")
        .contains("find(name: String): [Shape!]");
    Shape triangle =
        new Shape(
            "tri",
            List.of(new Point(0, 0), new Point(1.5, -2)),
            List.of(1L, 1L << 40),
            new Point(0.5, 0.25));
    GraphqlEngine.Result r =
        e.execute(
            new GraphqlEngine.Request(
                GraphqlClient.document(SHAPES.operation("save")),
                null,
                Map.of(
                    "name", "tri",
                    "points", List.of(Map.of("x", 0, "y", 0), Map.of("x", 1.5, "y", -2)),
                    "tags", List.of(1, 1L << 40),
                    "center", Map.of("x", 0.5, "y", 0.25))),
            false);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    assertThat(saved).containsExactly(triangle);
    GraphqlEngine.Result found =
        e.execute(
            new GraphqlEngine.Request(
                GraphqlClient.document(SHAPES.operation("find")), null, Map.of("name", "tri")),
            false);
    assertThat(found.body().toString())
        .contains("x=1.5, y=-2.0")
        .contains("tags=[1, " + (1L << 40) + "]")
        .contains("center={x=0.5, y=0.25}");
  }

  record Nothing() {}

  interface Pinger {
    Nothing ping(Nothing in);
  }

  @Test
  void emptyRecords_becomeAnObjectWithOneField() throws Exception {
    ServiceDescriptor<Pinger> pinger =
        ServiceDescriptor.builder(Pinger.class, "pinger")
            .operation(
                Operation.<Pinger, Nothing, Nothing>builder(
                        "ping", RecordType.of(Nothing.class), RecordType.of(Nothing.class))
                    .invoker(Pinger::ping)
                    .mutation())
            .build();
    Pinger impl = in -> new Nothing();
    try (dev.ipc.core.Server server =
            dev.ipc.core.Transports.builder()
                .service(pinger, impl)
                .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
                .start();
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      assertThat(client.call(pinger.operation("ping"), new Nothing()).value())
          .isEqualTo(new Nothing());
    }
  }

  @Test
  void clientDocuments_validateAgainstTheServersSchema() {
    for (BoundService s : Bound.reference()) {
      for (Operation<?, ?, ?> op : s.descriptor().operations()) {
        String doc = GraphqlClient.document(op);
        if (op.streaming()) {
          // Bound serves no streams: validate the subscription's document without running it.
          assertThat(
                  graphql.ParseAndValidate.parseAndValidate(
                          engine.schema(), graphql.ExecutionInput.newExecutionInput(doc).build())
                      .getErrors())
              .as(doc)
              .isEmpty();
          continue;
        }
        GraphqlEngine.Result r =
            engine.execute(
                new GraphqlEngine.Request(
                    doc, null, Map.of("id", 1, "name", "n", "food", "f", "film", "f")),
                false);
        assertThat(r.status()).as(doc + " -> " + r.body()).isEqualTo(200);
      }
    }
  }

  @Test
  void duplicateFieldNames_areRejectedAtStart() {
    ServiceDescriptor<Shapes> clash =
        ServiceDescriptor.builder(Shapes.class, "other")
            .operation(
                Operation.<Shapes, ByName, Shape>builder(
                        "find", RecordType.of(ByName.class), RecordType.of(Shape.class))
                    .manyInvoker(Shapes::find))
            .build();
    Shapes none = null;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new GraphqlEngine(List.of(Bound.of(SHAPES, none), Bound.of(clash, none)), DEFAULTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Query.find");
  }

  static String nested(int depth) {
    // __type(name:) { fields { type { ofType { ofType ... } } } }: legal at any depth, so only the
    // limit stops it.
    StringBuilder q = new StringBuilder("{ __type(name: \"Query\") { fields { type {");
    for (int i = 3; i < depth; i++) {
      q.append(" ofType {");
    }
    q.append(" name");
    q.append(" }".repeat(depth - 3 + 1));
    return q.append(" } } }").toString();
  }
}
