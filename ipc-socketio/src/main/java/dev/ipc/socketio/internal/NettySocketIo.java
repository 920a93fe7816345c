package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.handler.TransportState;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import io.netty.channel.nio.AbstractNioChannel;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The one place that reaches netty-socketio's (and Netty's) private members, each checked once,
 * when the first server starts ({@link #check}): a member that is missing fails the start with a
 * message naming the netty-socketio version found and the one these fixes were written for, never a
 * slower or wrong fallback. What is reached, and why no public API serves:
 *
 * <ul>
 *   <li>{@code SocketIOChannelInitializer.clientsBox}: every Engine.IO session by id; the public
 *       {@code SocketIOServer#getClient} finds only sessions in the main namespace, so a request
 *       naming a session that exists but left it could not be told from one naming none ({@link
 *       EngineIoRequestErrors});
 *   <li>{@code ClientHead.channels}: the WebSocket a session sends on, which a call thread writes
 *       an ack or broadcast to directly and whose writability paces a live feed;
 *   <li>{@code AckRequest.originalPacket}: the ack id and namespace of an ack written directly;
 *   <li>Netty's {@code AbstractNioChannel.javaChannel()}: the socket those direct writes go to;
 *   <li>{@code SocketIOServer.pipelineFactory} and {@code SocketIOChannelInitializer.scheduler}:
 *       the timer of the default channel initializer, which ours replaces, to stop it
 *       (netty-socketio starts it in the constructor and never stops it, and Netty reports it as a
 *       leak).
 * </ul>
 */
public final class NettySocketIo {
  /** The netty-socketio version these fixes were written and tested for. */
  public static final String VERSION = "2.0.14";

  private static final VarHandle CLIENTS_BOX;
  private static final VarHandle CHANNELS;
  private static final VarHandle ORIGINAL_PACKET;
  private static final MethodHandle JAVA_CHANNEL;
  private static final VarHandle PIPELINE_FACTORY;
  private static final VarHandle SCHEDULER;

  /** Why a member is missing, or null when every one was found. */
  private static final IllegalStateException MISSING;

  static {
    VarHandle clientsBox = null;
    VarHandle channels = null;
    VarHandle originalPacket = null;
    MethodHandle javaChannel = null;
    VarHandle pipelineFactory = null;
    VarHandle scheduler = null;
    IllegalStateException missing = null;
    try {
      clientsBox = field(SocketIOChannelInitializer.class, "clientsBox", ClientsBox.class);
      channels = field(ClientHead.class, "channels", Map.class);
      originalPacket = field(AckRequest.class, "originalPacket", Packet.class);
      javaChannel =
          method(
              AbstractNioChannel.class,
              "javaChannel",
              MethodType.methodType(SelectableChannel.class));
      pipelineFactory =
          field(SocketIOServer.class, "pipelineFactory", SocketIOChannelInitializer.class);
      scheduler = field(SocketIOChannelInitializer.class, "scheduler", CancelableScheduler.class);
    } catch (IllegalStateException e) {
      missing = e;
    }
    CLIENTS_BOX = clientsBox;
    CHANNELS = channels;
    ORIGINAL_PACKET = originalPacket;
    JAVA_CHANNEL = javaChannel;
    PIPELINE_FACTORY = pipelineFactory;
    SCHEDULER = scheduler;
    MISSING = missing;
  }

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
   * Checks that every member reached here exists; called when a server starts, before anything
   * else.
   *
   * @throws IllegalStateException naming the missing member, the netty-socketio version found and
   *     the one expected
   */
  public static void check() {
    if (MISSING != null) {
      throw new IllegalStateException(MISSING.getMessage(), MISSING.getCause());
    }
  }

  /**
   * Returns a handle on the private field {@code name} of {@code owner}, of type {@code type}.
   *
   * @throws IllegalStateException if there is none (another netty-socketio version), naming it and
   *     the versions
   */
  public static VarHandle field(Class<?> owner, String name, Class<?> type) {
    try {
      return MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
          .findVarHandle(owner, name, type);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw missing(owner.getName() + "." + name, e);
    }
  }

  /**
   * Returns a handle on the private method {@code name} of {@code owner}, of type {@code type}.
   *
   * @throws IllegalStateException if there is none, naming it and the versions
   */
  public static MethodHandle method(Class<?> owner, String name, MethodType type) {
    try {
      return MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
          .findVirtual(owner, name, type);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw missing(owner.getName() + "." + name + "()", e);
    }
  }

  private static IllegalStateException missing(String member, Exception cause) {
    return new IllegalStateException(
        "netty-socketio "
            + loadedVersion()
            + " (expected: "
            + VERSION
            + "): ipc-socketio's fixes need "
            + member
            + ", which this version lacks or does not open ("
            + cause
            + "); use netty-socketio "
            + VERSION,
        cause);
  }

  /** Returns the session table of {@code initializer}. */
  public static Sessions sessions(SocketIOChannelInitializer initializer) {
    check();
    return new Sessions((ClientsBox) CLIENTS_BOX.get(initializer));
  }

  /** Returns the channel {@code head} has on {@code transport} now, or null. */
  @SuppressWarnings("unchecked")
  public static io.netty.channel.Channel channel(ClientHead head, Transport transport) {
    TransportState state = ((Map<Transport, TransportState>) CHANNELS.get(head)).get(transport);
    return state == null ? null : state.getChannel();
  }

  /** Returns the packet {@code request} acknowledges, or null. */
  public static Packet ackedPacket(AckRequest request) {
    return (Packet) ORIGINAL_PACKET.get(request);
  }

  /** Returns the JDK socket under Netty's NIO channel {@code ch}. */
  public static SocketChannel javaChannel(AbstractNioChannel ch) {
    try {
      return (SocketChannel) (SelectableChannel) JAVA_CHANNEL.invokeExact(ch);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Stops the timer of the channel initializer {@code server} was made with (before ours replaced
   * it).
   */
  public static void stopDefaultScheduler(SocketIOServer server) {
    check();
    Object initializer = PIPELINE_FACTORY.get(server);
    if (initializer != null) {
      ((CancelableScheduler) SCHEDULER.get(initializer)).shutdown();
    }
  }

  /** Every open Engine.IO session of one server, by id, whether or not it joined a namespace. */
  public static final class Sessions {
    private final ClientsBox box;

    Sessions(ClientsBox box) {
      this.box = box;
    }

    /**
     * Returns the session {@code sid} names, or null when there is none (or it is no session id).
     */
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
