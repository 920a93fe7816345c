package dev.ipc.examples;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.util.List;

/**
 * Mix and match: the task list over REST and Socket.IO; a PUT over REST is broadcast to sockets.
 */
public final class TasksOverRestAndSocketIo {
  private TasksOverRestAndSocketIo() {}

  /** Serves the tasks over REST on {@code restPort} and Socket.IO on {@code socketIoPort}. */
  static Server start(int restPort, int socketIoPort) {
    return Transports.serve(
        List.of(Reference.tasks()),
        "rest://0.0.0.0:" + restPort,
        "socketio://0.0.0.0:" + socketIoPort);
  }

  /** Runs until Ctrl-C. */
  public static void main(String[] args) throws InterruptedException {
    Server server = start(5000, 8080).closeOnJvmShutdown();
    System.out.println("tasks on " + server.addresses());
    server.awaitTermination();
  }
}
