package dev.ipc.examples.bench;

import dev.ipc.core.Client;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;

/**
 * The ipc side of the fan-out benchmark on one protocol: subscribers are {@code
 * client.service(TaskService.class).watchTasks(null, null)} through ipc's Java client of that
 * protocol ({@code Transports.connect("grpc://...")}), asking for everything at once; the publisher
 * is {@code put} through another client of the same protocol. Subscribers share a few clients
 * ({@link FanoutBenchmark#clients}) on every protocol: ipc's Socket.IO client opens a connection of
 * its own for each stream (the server keeps one watch per operation and connection), so N
 * subscribers are N connections there too, as on the Node side, without N idle call connections
 * that would each get every save as a broadcast.
 */
final class IpcFanout implements FanoutSide {
  private final Server server;
  private final String protocol;
  private final Client publisherClient;
  private final TaskService publisher;
  private final List<Client> clients = new ArrayList<>();
  private final List<Flow.Subscription> subscriptions = new ArrayList<>();

  IpcFanout(Server server, String protocol) {
    this.server = server;
    this.protocol = protocol;
    this.publisherClient = connect();
    this.publisher = publisherClient.service(TaskService.class);
  }

  private Client connect() {
    return Transports.connect(protocol + "://127.0.0.1:" + server.port(protocol));
  }

  @Override
  public String name() {
    return "ipc";
  }

  @Override
  public void subscribe(FanoutRecorder recorder) throws Exception {
    int n = recorder.subscribers();
    int count = FanoutBenchmark.clients(protocol, n);
    // Clients connect when built: build many at once, as a fleet of subscribers would connect.
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(count, 16));
    try {
      List<Future<Client>> connecting = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        connecting.add(pool.submit(this::connect));
      }
      for (Future<Client> c : connecting) {
        clients.add(c.get());
      }
    } finally {
      pool.shutdown();
    }
    List<Flow.Subscription> opened = subscriptions;
    for (int i = 0; i < n; i++) {
      int index = i;
      TaskService tasks = clients.get(i % clients.size()).service(TaskService.class);
      tasks
          .watchTasks(null, null)
          .subscribe(
              new Flow.Subscriber<Task>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  synchronized (opened) {
                    opened.add(s);
                  }
                  s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Task task) {
                  recorder.onValue(index, task.name());
                }

                @Override
                public void onError(Throwable t) {
                  recorder.onError(t);
                }

                @Override
                public void onComplete() {}
              });
    }
  }

  @Override
  public void unsubscribe() throws InterruptedException {
    synchronized (subscriptions) {
      for (Flow.Subscription s : subscriptions) {
        s.cancel();
      }
      subscriptions.clear();
    }
    for (Client c : clients) {
      c.close();
    }
    clients.clear();
    // Cancelled streams must leave the server: the next case starts from none.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (server.openStreams() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    if (server.openStreams() > 0) {
      System.out.println(
          protocol
              + ": "
              + server.openStreams()
              + " streams still open 10 s after every subscriber cancelled");
    }
  }

  @Override
  public void put(long id, String name) {
    publisher.put(new Task(id, name));
  }

  @Override
  public String connections() {
    var connections = server.stats().connections();
    return connections.isEmpty() ? "" : "(server connections " + connections + ")";
  }

  @Override
  public long endedBehind() {
    return server.stats().streamsEndedBehind();
  }

  @Override
  public void close() throws InterruptedException {
    unsubscribe();
    publisherClient.close();
  }
}
