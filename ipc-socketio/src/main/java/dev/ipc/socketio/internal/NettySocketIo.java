package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.util.Properties;
import java.util.UUID;

/**
 * The one place that reaches netty-socketio's internals by reflection, checked when a server starts.
 * netty-socketio keeps its Engine.IO sessions in a {@link ClientsBox} private to {@link
 * SocketIOChannelInitializer}; its public {@code SocketIOServer#getClient} only finds sessions joined
 * to the main namespace, so a request naming a session that exists but has left it (a client's
 * {@code 41}) could not be told from one naming no session at all.
 */
public final class NettySocketIo {
  /** The netty-socketio version these fixes were written and tested for. */
  public static final String VERSION = "2.0.14";

  private static final Field CLIENTS_BOX = field(SocketIOChannelInitializer.class, "clientsBox");

  private NettySocketIo() {}

  /** Returns the netty-socketio version on the class path, as its jar says, or "unknown". */
  public static String loadedVersion() {
    try (InputStream in =
        SocketIOChannelInitializer.class.getResourceAsStream(
            "/META-INF/maven/com.corundumstudio.socketio/netty-socketio/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * Checks that every reflective target exists; called once when a server starts.
   *
   * @throws IllegalStateException naming the netty-socketio version found and the one expected
   */
  public static void check() {
    if (CLIENTS_BOX == null) {
      throw new IllegalStateException(
          "netty-socketio: "
              + loadedVersion()
              + " (expected: "
              + VERSION
              + ", whose SocketIOChannelInitializer has the private field clientsBox that ipc-socketio's"
              + " fixes read)");
    }
  }

  /** Returns the session table of {@code initializer}. */
  public static Sessions sessions(SocketIOChannelInitializer initializer) {
    check();
    try {
      return new Sessions((ClientsBox) CLIENTS_BOX.get(initializer));
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("netty-socketio: " + loadedVersion() + " (expected: " + VERSION + ")", e);
    }
  }

  private static Field field(Class<?> owner, String name) {
    try {
      Field f = owner.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException | RuntimeException e) {
      return null;
    }
  }

  /** Every open Engine.IO session of one server, by id, whether or not it joined a namespace. */
  public static final class Sessions {
    private final ClientsBox box;

    Sessions(ClientsBox box) {
      this.box = box;
    }

    /** Returns the session {@code sid} names, or null when there is none (or it is no session id). */
    public ClientHead get(String sid) {
      UUID id;
      try {
        id = UUID.fromString(sid);
      } catch (IllegalArgumentException e) {
        return null;
      }
      return box.get(id);
    }
  }
}
