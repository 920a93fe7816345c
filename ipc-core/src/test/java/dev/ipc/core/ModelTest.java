package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.InvalidValueException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.ServiceDescriptor;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModelTest {

  @Test
  void dating_reproducesTheArticlesProtoNames() {
    ServiceDescriptor<DatingService> d = DatingService.DESCRIPTOR;
    assertThat(d.grpcFullName()).isEqualTo("date.Dating");
    Operation<DatingService, ?, ?> eating = d.operation("eating");
    assertThat(eating.grpcMethod()).isEqualTo("Eating");
    assertThat(eating.input().name()).isEqualTo("Eat");
    assertThat(eating.output().name()).isEqualTo("Feel");
    assertThat(fields(eating.input())).isEqualTo("food=1:STRING");
    assertThat(fields(eating.output())).isEqualTo("feeling=1:BOOL");
    Operation<DatingService, ?, ?> movie = d.operation("watchMovie");
    assertThat(movie.grpcMethod()).isEqualTo("WatchMovie");
    assertThat(fields(movie.input())).isEqualTo("film=1:STRING");
    assertThat(movie.output().name()).isEqualTo("Feel");
    assertThat(d.operations())
        .extracting(Operation::event)
        .containsExactly("dating:eating", "dating:watchMovie");
    assertThat(d.operations()).extracting(Operation::kind).containsOnly(Operation.Kind.MUTATION);
  }

  @Test
  void task_describesTheArticlesRestRoutes() {
    ServiceDescriptor<TaskService> d = TaskService.DESCRIPTOR;
    assertThat(d.grpcFullName()).isEqualTo("task.Tasks");
    assertThat(d.operations())
        .extracting(o -> o.restMethod() + " " + o.restPath())
        .containsExactly("GET /tasks", "GET /tasks/{id}", "PUT /tasks/{id}", "GET /tasks/watch");
    assertThat(d.operations())
        .extracting(Operation::graphqlField)
        .containsExactly("tasks", "task", "putTask", "taskSaved");
    Operation<TaskService, ?, ?> watch = d.operation("watchTasks");
    assertThat(watch.kind()).isEqualTo(Operation.Kind.SUBSCRIPTION);
    assertThat(watch.streaming()).isTrue();
    assertThat(watch.grpcMethod()).isEqualTo("WatchTasks");
    assertThat(watch.input().name()).isEqualTo("WatchTasksRequest");
    assertThat(fields(watch.input())).isEqualTo("fromId=1:optional INT64, toId=2:optional INT64");
    assertThat(watch.output().name()).isEqualTo("Task");
    assertThat(watch.event()).isEqualTo("task:watchTasks");
    assertThat(watch.itemEvent()).isEqualTo("task:saved");
    Operation<TaskService, ?, ?> list = d.operation("list");
    assertThat(list.many()).isTrue();
    assertThat(list.grpcResponseMessage()).isEqualTo("ListTasksResponse");
    assertThat(list.grpcResponseField()).isEqualTo("tasks");
    assertThat(list.input().fields()).isEmpty();
    assertThat(fields(list.output())).isEqualTo("id=1:INT64, name=2:STRING");
    assertThat(fields(d.operation("get").input())).isEqualTo("id=1:INT64");
    assertThat(d.operation("put").publishes()).isEqualTo("task:saved");
    assertThat(d.operation("put").kind()).isEqualTo(Operation.Kind.MUTATION);
    assertThat(d.operation("get").kind()).isEqualTo(Operation.Kind.QUERY);
  }

  @Test
  void person_spreadsTheArticlesRootFields() {
    Operation<PersonService, ?, ?> op = PersonService.DESCRIPTOR.operation("person");
    assertThat(op.graphqlRootFields()).isTrue();
    assertThat(op.restPath()).isEqualTo("/person");
    RecordType<?> person = op.output();
    assertThat(fields(person))
        .isEqualTo("name=1:STRING, age=2:INT32, sex=3:BOOL, hobby=4:repeated STRING");
    // type Query { name: String age: Int sex: Boolean! hobby: [String] }
    assertThat(person.fields())
        .extracting(Field::nonNull)
        .containsExactly(false, false, true, false);
  }

  @Test
  void recordType_createsAndReadsValuesWithChecks() {
    RecordType<Person> type = RecordType.of(Person.class);
    Person p = type.create(Map.of("name", "Ann", "age", 3L, "hobby", List.of("x")));
    assertThat(p).isEqualTo(new Person("Ann", 3, false, List.of("x")));
    assertThat(type.field("hobby").get(p)).isEqualTo(List.of("x"));
    assertThat(type.create(new Object[4])).isEqualTo(new Person(null, 0, false, List.of()));

    assertInvalid(() -> type.create(Map.of("age", "three")), "age");
    assertInvalid(() -> type.create(Map.of("age", 1L << 40)), "age");
    assertInvalid(() -> type.create(Map.of("hobby", "not a list")), "hobby");
    assertInvalid(() -> type.create(Map.of("sex", 1)), "sex");
    assertThatThrownBy(() -> RecordType.of(Bad.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("when");
  }

  @Test
  void recordType_describesNestedRecordsAndLists() {
    RecordType<Team> team = RecordType.of(Team.class);
    Field lead = team.field("lead");
    assertThat(lead.type()).isEqualTo(FieldType.MESSAGE);
    assertThat(lead.messageType().name()).isEqualTo("Task");
    assertThat(team.field("members").repeated()).isTrue();
    Team t =
        team.create(
            Map.of("lead", Map.of("id", 1, "name", "a"), "members", List.of(new Task(2, "b"))));
    assertThat(t).isEqualTo(new Team(new Task(1, "a"), List.of(new Task(2, "b"))));
  }

  @Test
  void operation_defaultsComeFromNames() {
    ServiceDescriptor<Greeter> d = Greeter.DESCRIPTOR;
    Operation<Greeter, ?, ?> op = d.operation("sayHello");
    assertThat(d.grpcFullName()).isEqualTo("greeter.Greeter");
    assertThat(op.grpcMethod()).isEqualTo("SayHello");
    assertThat(op.restMethod()).isEqualTo("POST");
    assertThat(op.restPath()).isEqualTo("/greeter/say-hello");
    assertThat(op.graphqlField()).isEqualTo("sayHello");
    assertThat(op.event()).isEqualTo("greeter:sayHello");
    assertThat(op.publishes()).isNull();
    assertThatThrownBy(() -> d.operation("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sayHello");
  }

  @Test
  void fourthService_describedOnlyThroughTheModel_isServed() {
    TestTransport t = new TestTransport("t", 0);
    Greeter impl = hello -> new Greeting("hello, " + hello.name());
    try (Server server = Transports.builder().service(impl).transport(t).start()) {
      Greeter client = Greeter.DESCRIPTOR.client(t.caller());
      assertThat(client.sayHello(new Hello("ann"))).isEqualTo(new Greeting("hello, ann"));
      assertThat(server.port("t")).isPositive();
    }
  }

  @Test
  void clientStubs_roundTripEveryBuiltInOperation() {
    TestTransport t = new TestTransport("t", 0);
    try (Server ignored = Transports.serve(Reference.services(), t)) {
      TaskService tasks = TaskService.DESCRIPTOR.client(t.caller());
      assertThat(tasks.list()).hasSize(3);
      assertThat(tasks.get(1)).isEqualTo(new Task(1, "task1"));
      assertThat(tasks.put(new Task(4, "four"))).isEqualTo(new Saved<>(new Task(4, "four"), true));
      assertThat(tasks.put(new Task(4, "vier")).created()).isFalse();
      DatingService dating = DatingService.DESCRIPTOR.client(t.caller());
      assertThat(dating.eating(new Eat("steak")).feeling()).isTrue();
      assertThat(dating.watchMovie(new Movie("film")).feeling()).isTrue();
      assertThat(PersonService.DESCRIPTOR.client(t.caller()).person().name()).isEqualTo("Rootkit");
    }
  }

  private static void assertInvalid(Runnable r, String field) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            InvalidValueException.class,
            e -> {
              // The model's refusal, which every transport answers as INVALID_ARGUMENT.
              assertThat(ServiceException.from(e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(field);
            });
  }

  private static String fields(RecordType<?> type) {
    return type.fields().stream().map(Field::toString).collect(Collectors.joining(", "));
  }

  record Bad(java.util.Date when) {}

  record Team(Task lead, List<Task> members) {}

  record Hello(String name) {}

  record Greeting(String message) {}

  /** A service the core knows nothing about, described only through the model. */
  interface Greeter {
    ServiceDescriptor<Greeter> DESCRIPTOR =
        ServiceDescriptor.builder(Greeter.class, "greeter")
            .operation(
                Operation.<Greeter, Hello, Greeting>builder(
                        "sayHello", RecordType.of(Hello.class), RecordType.of(Greeting.class))
                    .invoker(Greeter::sayHello)
                    .mutation())
            .client(stub -> hello -> stub.call("sayHello", hello))
            .build();

    Greeting sayHello(Hello hello);
  }
}
