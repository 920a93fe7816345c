package dev.ipc.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Person;
import dev.ipc.core.PersonService;
import dev.ipc.core.Reference;
import dev.ipc.core.Saved;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.core.model.RemoteCaller;
import dev.ipc.core.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scenarios every transport must pass, run against a real server on port 0 through a real
 * client of the transport's protocol. An adapter's test extends this and says how to make its
 * transport and a {@link RemoteCaller} for a running server.
 */
@Timeout(60)
public abstract class AbstractTransportContractTest {
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  /** Returns a new transport of the adapter under test, on port 0. */
  protected abstract Transport newTransport();

  /**
   * Returns a caller that reaches {@code server}'s transport with the protocol's own client. It is
   * closed after the test when it is {@link AutoCloseable}.
   */
  protected abstract RemoteCaller newCaller(Server server);

  /** Starts the reference services on the transport under test. */
  protected Server start() {
    return start(Reference.services());
  }

  /** Starts {@code services} on the transport under test. */
  protected Server start(List<?> services) {
    return start(services, b -> {});
  }

  /** Starts {@code services} on the transport under test, with {@code settings} applied. */
  protected Server start(
      List<?> services, java.util.function.Consumer<Transports.Builder> settings) {
    Transports.Builder builder = Transports.builder();
    settings.accept(builder);
    Server server =
        builder
            .services(services)
            .transport(newTransport())
            .gracePeriod(Duration.ofSeconds(10))
            .start();
    cleanup.add(server);
    return server;
  }

  /** Returns a client of {@code type} talking to {@code server}. */
  protected <S> S client(Server server, dev.ipc.core.model.ServiceDescriptor<S> type) {
    RemoteCaller caller = newCaller(server);
    if (caller instanceof AutoCloseable c) {
      cleanup.add(0, c);
    }
    return type.client(caller);
  }

  /** Returns a typed proxy of the plain interface {@code type} talking to {@code server}. */
  protected <S> S client(Server server, Class<S> type) {
    return client(server, dev.ipc.core.model.ServiceDescriptor.of(type));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
    cleanup.clear();
  }

  @Test
  void tasks_listInIdOrder() {
    TaskService tasks = client(start(), TaskService.DESCRIPTOR);
    assertThat(tasks.list())
        .containsExactly(new Task(1, "task1"), new Task(2, "task2"), new Task(3, "task3"));
  }

  @Test
  void tasks_getExisting() {
    TaskService tasks = client(start(), TaskService.DESCRIPTOR);
    assertThat(tasks.get(2)).isEqualTo(new Task(2, "task2"));
  }

  @Test
  void tasks_getMissing_isNotFound() {
    TaskService tasks = client(start(), TaskService.DESCRIPTOR);
    assertThatThrownBy(() -> tasks.get(42))
        .isInstanceOfSatisfying(
            ServiceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
              assertThat(e.getMessage()).contains("42");
            });
  }

  @Test
  void tasks_putCreatesThenReplaces() {
    TaskService tasks = client(start(), TaskService.DESCRIPTOR);
    Saved<Task> created = tasks.put(new Task(5, "task5"));
    assertThat(created).isEqualTo(new Saved<>(new Task(5, "task5"), true));
    Saved<Task> replaced = tasks.put(new Task(5, "task five"));
    assertThat(replaced).isEqualTo(new Saved<>(new Task(5, "task five"), false));
    assertThat(tasks.list()).hasSize(4).last().isEqualTo(new Task(5, "task five"));
    assertThat(tasks.get(5)).isEqualTo(new Task(5, "task five"));
  }

  @Test
  void tasks_unicodeNameRoundTrips() {
    TaskService tasks = client(start(), TaskService.DESCRIPTOR);
    tasks.put(new Task(7, "星际穿越 \"quoted\" \\ 🚀"));
    assertThat(tasks.get(7).name()).isEqualTo("星际穿越 \"quoted\" \\ 🚀");
  }

  @Test
  void tasks_invalidInput_isInvalidArgument() {
    TaskService tasks = client(start(), TaskService.DESCRIPTOR);
    assertInvalid(() -> tasks.get(-1), "id");
    assertInvalid(() -> tasks.put(new Task(-3, "x")), "id");
    assertInvalid(() -> tasks.put(new Task(8, " ")), "name");
    assertInvalid(() -> tasks.put(new Task(8, "x".repeat(201))), "name");
    assertThat(tasks.list()).hasSize(3);
  }

  @Test
  void person_isTheArticlesRootkit() {
    PersonService person = client(start(), PersonService.DESCRIPTOR);
    assertThat(person.person())
        .isEqualTo(
            new Person(
                "Rootkit",
                99,
                true,
                List.of("Coding", "Badminton", "Billiards", "Reading", "Guitar")));
  }

  @Test
  void dating_feelsGood() {
    DatingService dating = client(start(), DatingService.DESCRIPTOR);
    assertThat(dating.eating(new Eat("steak"))).isEqualTo(new Feel(true));
    assertThat(dating.watchMovie(new Movie("星际穿越"))).isEqualTo(new Feel(true));
  }

  @Test
  void dating_blankInput_isInvalidArgument() {
    DatingService dating = client(start(), DatingService.DESCRIPTOR);
    assertInvalid(() -> dating.eating(new Eat("")), "food");
    assertInvalid(() -> dating.watchMovie(new Movie("  ")), "film");
  }

  @Test
  void dating_falseFeelingRoundTrips() {
    DatingService sad =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            return new Feel(false);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return new Feel(false);
          }
        };
    DatingService dating = client(start(List.of(sad)), DatingService.DESCRIPTOR);
    assertThat(dating.eating(new Eat("broccoli"))).isEqualTo(new Feel(false));
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void errors_everyCodeRoundTrips(ErrorCode code) {
    DatingService failing =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            throw new ServiceException(code, "refused: " + eat.food());
          }

          @Override
          public Feel watchMovie(Movie movie) {
            throw new ServiceException(code, "refused");
          }
        };
    DatingService dating = client(start(List.of(failing)), DatingService.DESCRIPTOR);
    assertThatThrownBy(() -> dating.eating(new Eat("soup")))
        .isInstanceOfSatisfying(
            ServiceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).isEqualTo("refused: soup");
            });
  }

  @Test
  void errors_unexpectedExceptionIsInternalWithoutDetails() {
    DatingService broken =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            throw new IllegalStateException("secret database password 1234");
          }

          @Override
          public Feel watchMovie(Movie movie) {
            throw new NullPointerException("secret");
          }
        };
    Server server = start(List.of(broken));
    DatingService dating = client(server, DatingService.DESCRIPTOR);
    for (Runnable call :
        List.<Runnable>of(
            () -> dating.eating(new Eat("x")), () -> dating.watchMovie(new Movie("y")))) {
      assertThatThrownBy(call::run)
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("Exception");
              });
    }
  }

  @Test
  void errors_aNullInAListIsInternal() {
    TaskService broken =
        new TaskService() {
          @Override
          public List<Task> list() {
            return java.util.Arrays.asList(new Task(1, "one"), null);
          }

          @Override
          public Task get(long id) {
            return null;
          }

          @Override
          public Saved<Task> put(Task task) {
            return new Saved<>(task, true);
          }
        };
    TaskService tasks = client(start(List.of(broken)), TaskService.DESCRIPTOR);
    assertThatThrownBy(tasks::list)
        .isInstanceOfSatisfying(
            ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
    assertThatThrownBy(() -> tasks.get(1))
        .isInstanceOfSatisfying(
            ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
  }

  @Test
  void concurrentPuts_noWriteLost() throws Exception {
    Server server = start();
    TaskService tasks = client(server, TaskService.DESCRIPTOR);
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<Saved<Task>>> puts = new ArrayList<>();
      for (long id = 1000; id < 1100; id++) {
        long i = id;
        puts.add(pool.submit(() -> tasks.put(new Task(i, "t" + i))));
      }
      for (Future<Saved<Task>> f : puts) {
        assertThat(f.get(30, TimeUnit.SECONDS).created()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    List<Long> ids = tasks.list().stream().map(Task::id).collect(Collectors.toList());
    List<Long> expected = new ArrayList<>(List.of(1L, 2L, 3L));
    LongStream.range(1000, 1100).forEach(expected::add);
    assertThat(ids).containsExactlyElementsOf(expected);
  }

  @Test
  void close_letsCallsInFlightFinish() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DatingService slow = HeldDating.of(entered, release);
    Server server = start(List.of(slow));
    DatingService dating = client(server, DatingService.DESCRIPTOR);
    CompletableFuture<Feel> call =
        CompletableFuture.supplyAsync(() -> dating.eating(new Eat("slow")));
    assertThat(entered.await(20, TimeUnit.SECONDS)).as("call reached the service").isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    // Closing must wait for the call: it cannot finish before the service is released.
    assertThat(closing).isNotDone();
    assertThat(call).isNotDone();
    release.countDown();

    assertThat(call.get(20, TimeUnit.SECONDS)).isEqualTo(new Feel(true));
    closing.get(20, TimeUnit.SECONDS);
    server.close(); // idempotent
    // After close a call gets no answer (a TransportException), or UNAVAILABLE from a closing
    // server.
    assertThatThrownBy(() -> dating.watchMovie(new Movie("after close")))
        .satisfiesAnyOf(
            e -> assertThat(e).isInstanceOf(TransportException.class),
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        ServiceException.class,
                        s -> assertThat(s.code()).isEqualTo(ErrorCode.UNAVAILABLE)));
  }

  private static final Book DUNE = Fixtures.DUNE;
  private static final Book BARE = Fixtures.BARE;

  private static void assertSameBook(Book actual, Book expected) {
    assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
  }

  @Test
  void library_plainInterface_addAndGetRoundTripEveryBookField() {
    Library library = client(start(List.of(new MemoryLibrary())), Library.class);
    assertSameBook(library.add(DUNE), DUNE);
    assertSameBook(library.get(1), DUNE);
    assertThat(library.get(1).cover()).containsExactly(0, 1, -1, 127, -128);
    assertSameBook(library.add(BARE), BARE);
    Book bare = library.get(2);
    assertThat(bare.isbn()).isEmpty();
    assertThat(bare.tags()).isEmpty();
    assertThat(bare.props()).isEmpty();
    assertThat(bare.published()).isNull();
  }

  @Test
  void library_plainParameters_searchAndPut() {
    Library library = client(start(List.of(new MemoryLibrary())), Library.class);
    library.add(DUNE);
    library.add(BARE);
    library.add(
        new Book(
            3,
            "Dune Messiah",
            Genre.NOVEL,
            List.of(),
            Map.of(),
            null,
            Optional.empty(),
            new byte[0]));
    assertThat(library.search("dune", Genre.NOVEL, 10))
        .extracting(Book::id)
        .containsExactly(1L, 3L);
    assertThat(library.search("dune", Genre.NOVEL, 1)).extracting(Book::id).containsExactly(1L);
    assertThat(library.search("", Genre.POETRY, 10))
        .extracting(Book::title)
        .containsExactly("Leaves");
    assertThat(library.search("nothing", Genre.SCIENCE, 10)).isEmpty();

    Book science =
        new Book(
            4,
            "Cosmos",
            Genre.SCIENCE,
            List.of("space"),
            Map.of(),
            null,
            Optional.empty(),
            new byte[0]);
    Saved<Book> created = library.put(4, science);
    assertThat(created.created()).isTrue();
    assertSameBook(created.value(), science);
    Saved<Book> replaced = library.put(4, science);
    assertThat(replaced.created()).isFalse();
    assertInvalid(() -> library.put(5, science), "book.id");
    assertInvalid(() -> library.search("x", Genre.NOVEL, -1), "limit");
  }

  @Test
  void library_voidOperation_answersNothingAndErrorsKeepTheirCode() {
    Library library = client(start(List.of(new MemoryLibrary())), Library.class);
    library.add(DUNE);
    assertThatThrownBy(() -> library.add(DUNE))
        .isInstanceOfSatisfying(
            ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
    library.remove(1);
    assertThatThrownBy(() -> library.get(1))
        .isInstanceOfSatisfying(
            ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(() -> library.remove(1))
        .isInstanceOfSatisfying(
            ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void library_everySupportedType_roundTrips() {
    Library library = client(start(List.of(new MemoryLibrary())), Library.class);
    Edition full = Fixtures.fullEdition();
    assertThat(library.echo(full)).usingRecursiveComparison().isEqualTo(full);

    Edition sparse = Fixtures.sparseEdition();
    Edition echoed = library.echo(sparse);
    assertThat(echoed).usingRecursiveComparison().isEqualTo(sparse);
    // Absent is not zero: a boxed field keeps the difference on every protocol.
    assertThat(echoed.printing()).isNull();
    assertThat(library.echo(full).printing()).isZero();
  }

  @Test
  void library_proxy_objectMethodsBehaveAndDefaultMethodsRunLocally() {
    Library library = client(start(List.of(new MemoryLibrary())), Library.class);
    library.add(DUNE);
    assertThat(library.describe(1)).isEqualTo("book 1: " + DUNE.title());
    assertThat(library.toString()).contains("Library");
    Library other = client(start(List.of(new MemoryLibrary())), Library.class);
    assertThat(library.equals(library)).isTrue();
    assertThat(library.equals(other)).isFalse();
    assertThat(library.hashCode()).isEqualTo(System.identityHashCode(library));
  }

  /** Collects a stream's values, asking for all of them unless told to ask for none. */
  public static class Collector<T> implements Flow.Subscriber<T> {
    public final List<T> values = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Void> done = new CompletableFuture<>();
    private final boolean read;
    private volatile Flow.Subscription subscription;

    public Collector(boolean read) {
      this.read = read;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (read) {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(T item) {
      values.add(item);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    public void cancel() {
      subscription.cancel();
    }

    /** Waits until {@code n} values arrived (or the stream ended, failing the wait). */
    public List<T> await(int n) throws Exception {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (values.size() < n && !done.isDone() && System.nanoTime() < end) {
        Thread.sleep(5);
      }
      assertThat(values).as("values before " + done).hasSizeGreaterThanOrEqualTo(n);
      return values;
    }
  }

  /** Waits until the server holds {@code n} open streams: a subscription is open once it counts. */
  protected static void awaitOpenStreams(Server server, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (server.openStreams() != n && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(server.openStreams()).as("open streams").isEqualTo(n);
  }

  @Test
  void stream_everySavedTaskReachesTheWatcherInOrder() throws Exception {
    Server server = start();
    TaskService tasks = client(server, TaskService.DESCRIPTOR);
    Collector<Task> all = new Collector<>(true);
    Collector<Task> ranged = new Collector<>(true);
    tasks.watchTasks(null, null).subscribe(all);
    tasks.watchTasks(5L, 6L).subscribe(ranged);
    awaitOpenStreams(server, 2);
    for (long id = 4; id <= 8; id++) {
      tasks.put(new Task(id, "saved " + id));
    }
    tasks.put(new Task(5, "again"));
    assertThat(all.await(6)).extracting(Task::id).containsExactly(4L, 5L, 6L, 7L, 8L, 5L);
    assertThat(all.values.get(0)).isEqualTo(new Task(4, "saved 4"));
    assertThat(ranged.await(3))
        .containsExactly(new Task(5, "saved 5"), new Task(6, "saved 6"), new Task(5, "again"));
    assertThat(all.done).isNotDone();
  }

  @Test
  void stream_cancellingEndsItOnTheServer() throws Exception {
    Server server = start();
    TaskService tasks = client(server, TaskService.DESCRIPTOR);
    List<Collector<Task>> watchers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Collector<Task> c = new Collector<>(true);
      tasks.watchTasks(null, null).subscribe(c);
      watchers.add(c);
    }
    awaitOpenStreams(server, 20);
    tasks.put(new Task(9, "seen by all"));
    for (Collector<Task> c : watchers) {
      assertThat(c.await(1)).containsExactly(new Task(9, "seen by all"));
      c.cancel();
    }
    awaitOpenStreams(server, 0);
    // The server still serves calls and new streams.
    Collector<Task> late = new Collector<>(true);
    tasks.watchTasks(null, null).subscribe(late);
    awaitOpenStreams(server, 1);
    tasks.put(new Task(10, "late"));
    assertThat(late.await(1)).containsExactly(new Task(10, "late"));
  }

  @Test
  void stream_endsCleanlyWhenTheServerCloses() throws Exception {
    Server server = start();
    TaskService tasks = client(server, TaskService.DESCRIPTOR);
    Collector<Task> watcher = new Collector<>(true);
    tasks.watchTasks(null, null).subscribe(watcher);
    awaitOpenStreams(server, 1);
    tasks.put(new Task(11, "before close"));
    watcher.await(1);
    server.close();
    watcher.done.get(20, TimeUnit.SECONDS);
    assertThat(watcher.values).containsExactly(new Task(11, "before close"));
    assertThat(server.openStreams()).isZero();
  }

  @Test
  void stream_aSubscriberThatNeverReadsIsEndedWhileAReaderGetsEverything() throws Exception {
    // Room on the server for the whole burst (in-process, puts outrun any delivery); the client,
    // which
    // holds 256 values for a subscriber that asked for none, is where the idle one falls behind.
    Server server = start(Reference.services(), b -> b.streamBuffer(1024));
    TaskService tasks = client(server, TaskService.DESCRIPTOR);
    Collector<Task> reader = new Collector<>(true);
    Collector<Task> idle = new Collector<>(false);
    tasks.watchTasks(null, null).subscribe(reader);
    tasks.watchTasks(null, null).subscribe(idle);
    awaitOpenStreams(server, 2);
    int n = 600;
    for (int id = 1; id <= n; id++) {
      tasks.put(new Task(id, "t" + id));
    }
    assertThat(reader.await(n)).hasSize(n);
    assertThatThrownBy(() -> idle.done.get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ServiceException.class)
        .cause()
        .satisfies(
            e -> assertThat(((ServiceException) e).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    assertThat(idle.values).isEmpty();
    awaitOpenStreams(server, 1);
  }

  private static void assertInvalid(Runnable call, String field) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ServiceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(field);
            });
  }
}
