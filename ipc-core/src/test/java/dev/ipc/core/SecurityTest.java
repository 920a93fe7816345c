package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.model.Reply;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.CallSource;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Core's half of every transport's security: the call context, authentication, roles, interceptors.
 */
class SecurityTest {
  private static final Map<String, Principal> TOKENS =
      Map.of("w-token", Principal.of("wanda", "writer"), "r-token", Principal.of("rita", "reader"));

  private static Reply call(TestTransport t, String op, Object request, String token) {
    Metadata m = token == null ? Metadata.EMPTY : Metadata.of("Authorization", "Bearer " + token);
    return t.operation("task", op)
        .call(request, CallSource.of("test", new InetSocketAddress("127.0.0.1", 9), m), x -> {});
  }

  private static void assertCode(Runnable call, ErrorCode code, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ServiceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).contains(message);
            });
  }

  @Test
  void withoutAuthentication_everythingIsOpenAsBefore() {
    TestTransport t = new TestTransport("t", 0);
    try (Server server = Transports.serve(Reference.services(), t)) {
      assertThat(call(t, "put", new Task(9, "nine"), null).created()).isTrue();
      // A token is ignored where nothing verifies it.
      assertThat(call(t, "put", new Task(9, "nine"), "anything").created()).isFalse();
      assertThat(server.port("t")).isPositive();
    }
  }

  @Test
  void authentication_rolesOnTheModel_refuseWithTheRightCode() {
    TestTransport t = new TestTransport("t", 0);
    try (Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(t)
            .authenticate(TOKENS::get)
            .start()) {
      // Reads are public; a presented token must still be valid.
      assertThat(call(t, "get", new Object[] {1L}, null).value()).isEqualTo(new Task(1, "task1"));
      assertThat(call(t, "get", new Object[] {1L}, "r-token").value())
          .isEqualTo(new Task(1, "task1"));
      assertCode(
          () -> call(t, "get", new Object[] {1L}, "stolen"),
          ErrorCode.UNAUTHENTICATED,
          "invalid credentials");

      assertCode(
          () -> call(t, "put", new Task(9, "x"), null),
          ErrorCode.UNAUTHENTICATED,
          "task.put needs credentials");
      assertCode(
          () -> call(t, "put", new Task(9, "x"), "stolen"), ErrorCode.UNAUTHENTICATED, "invalid");
      assertCode(
          () -> call(t, "put", new Task(9, "x"), "r-token"),
          ErrorCode.PERMISSION_DENIED,
          "needs role writer");
      // The refused puts changed nothing.
      assertCode(() -> call(t, "get", new Object[] {9L}, null), ErrorCode.NOT_FOUND, "9");
      assertThat(call(t, "put", new Task(9, "x"), "w-token").created()).isTrue();

      // Socket.IO verifies once per connection through the context.
      assertThat(t.context.authenticates()).isTrue();
      assertThat(t.context.authenticate("w-token").name()).isEqualTo("wanda");
      assertThat(t.context.authenticate(null)).isNull();
      assertCode(
          () -> t.context.authenticate("stolen"), ErrorCode.UNAUTHENTICATED, "invalid credentials");
      assertThat(server.port("t")).isPositive();
    }
  }

  @Test
  void interceptors_runInOrderAroundTheService_withTheContext() {
    List<String> seen = new CopyOnWriteArrayList<>();
    AtomicReference<CallContext> inService = new AtomicReference<>();
    DatingService dating =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            CallContext c = CallContext.current();
            inService.set(c);
            seen.add("service as " + c.principal().name());
            c.responseMetadata().add("x-served-by", "dating");
            return new Feel(true);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            throw new ServiceException(ErrorCode.NOT_FOUND, "no film");
          }
        };
    Interceptor outer =
        (ctx, request, next) -> {
          seen.add("outer in " + ctx.operation().name() + " from " + ctx.transport());
          try {
            Reply r = next.proceed(request);
            seen.add("outer out");
            return r;
          } catch (ServiceException e) {
            seen.add("outer saw " + e.code());
            ctx.responseMetadata().add("retry-after", "1");
            throw e;
          }
        };
    Interceptor inner =
        (ctx, request, next) -> {
          seen.add("inner in " + ctx.principal().name());
          return next.proceed(request);
        };
    TestTransport t = new TestTransport("t", 0);
    try (Server server =
        Transports.builder()
            .service(dating)
            .transport(t)
            .authenticate(TOKENS::get)
            .interceptor(outer)
            .interceptor(inner)
            .start()) {
      AtomicReference<Metadata> answered = new AtomicReference<>();
      Metadata m = Metadata.of("authorization", "Bearer r-token", "x-trace", "abc");
      BoundOperation eating = t.operation("dating", "eating");
      eating.call(new Eat("soup"), CallSource.of("test", null, m), answered::set);
      assertThat(seen)
          .containsExactly(
              "outer in eating from test", "inner in rita", "service as rita", "outer out");
      assertThat(answered.get().get("x-served-by")).isEqualTo("dating");
      assertThat(inService.get().metadata().get("X-Trace")).isEqualTo("abc");
      assertThat(inService.get().toString()).contains("rita").doesNotContain("r-token");
      assertThatThrownBy(CallContext::current).isInstanceOf(IllegalStateException.class);

      seen.clear();
      assertCode(
          () ->
              t.operation("dating", "watchMovie")
                  .call(new Movie("x"), CallSource.of("test", null, m), answered::set),
          ErrorCode.NOT_FOUND,
          "no film");
      assertThat(seen)
          .containsExactly("outer in watchMovie from test", "inner in rita", "outer saw NOT_FOUND");
      // Response metadata reaches the transport on failures too (Retry-After, WWW-Authenticate...).
      assertThat(answered.get().get("retry-after")).isEqualTo("1");
      assertThat(server.port("t")).isPositive();
    }
  }

  @Test
  void interceptorAddedBeforeAuthenticate_seesTheCallsItRefuses() {
    List<String> seen = new CopyOnWriteArrayList<>();
    TestTransport t = new TestTransport("t", 0);
    try (Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(t)
            .interceptor(
                (ctx, request, next) -> {
                  try {
                    Reply r = next.proceed(request);
                    seen.add("outer OK");
                    return r;
                  } catch (ServiceException e) {
                    seen.add("outer " + e.code());
                    throw e;
                  }
                })
            .authenticate(TOKENS::get)
            .interceptor(
                (ctx, request, next) -> {
                  seen.add("inner as " + ctx.principal().name());
                  return next.proceed(request);
                })
            .start()) {
      assertCode(
          () -> call(t, "put", new Task(9, "x"), null), ErrorCode.UNAUTHENTICATED, "credentials");
      assertThat(call(t, "put", new Task(9, "x"), "w-token").created()).isTrue();
      assertThat(seen).containsExactly("outer UNAUTHENTICATED", "inner as wanda", "outer OK");
      assertThat(server.port("t")).isPositive();
    }
  }

  @Test
  void interceptor_rejectsWithAnyCode_beforeTheServiceRuns() {
    List<String> calls = new CopyOnWriteArrayList<>();
    TestTransport t = new TestTransport("t", 0);
    try (Server server =
        Transports.builder()
            .service(HeldDatingCounter.of(calls))
            .transport(t)
            .interceptor(
                (ctx, request, next) -> {
                  throw new ServiceException(ErrorCode.RESOURCE_EXHAUSTED, "slow down");
                })
            .start()) {
      assertCode(
          () -> t.operation("dating", "eating").call(new Eat("x")),
          ErrorCode.RESOURCE_EXHAUSTED,
          "slow down");
      assertThat(calls).isEmpty();
      assertThat(server.port("t")).isPositive();
    }
  }

  @Test
  void metadata_isCaseInsensitive_andHidesCredentials() {
    Metadata m =
        Metadata.of("Authorization", "Bearer abc", "Cookie", "s=1", "X-Id", "7", "x-id", "8");
    assertThat(m.get("authorization")).isEqualTo("Bearer abc");
    assertThat(m.bearerToken()).isEqualTo("abc");
    assertThat(m.all("X-ID")).containsExactly("7", "8");
    assertThat(m.toString()).doesNotContain("abc").doesNotContain("s=1").contains("x-id=7,8");
    assertThat(Metadata.of("authorization", "Basic abc").bearerToken()).isNull();
    assertThat(Metadata.of("authorization", "bearer   xyz ").bearerToken()).isEqualTo("xyz");
  }

  /** A Dating service that records its calls. */
  static final class HeldDatingCounter {
    static DatingService of(List<String> calls) {
      return new DatingService() {
        @Override
        public Feel eating(Eat eat) {
          calls.add("eating");
          return new Feel(true);
        }

        @Override
        public Feel watchMovie(Movie movie) {
          calls.add("watchMovie");
          return new Feel(true);
        }
      };
    }

    private HeldDatingCounter() {}
  }
}
