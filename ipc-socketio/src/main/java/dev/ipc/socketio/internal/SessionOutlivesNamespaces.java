package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.transport.NamespaceClient;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Keeps an Engine.IO session open when its client leaves its last namespace ({@code 41}).
 * netty-socketio 2.0.14's {@code ClientHead.removeNamespaceClient} hands the session to its {@code
 * DisconnectableHub} as soon as the session is in no namespace, which drops it from the {@code
 * ClientsBox} while its connection stays open: the ping timer then finds no session, so no more
 * pings and no ping timeout, and requests naming the session are refused as unknown. Node's server
 * keeps the Engine.IO session (pings go on, the client may send {@code 40} again) until the client
 * closes it or misses a pong. The same rule leaks a session that ends before joining any namespace
 * (a polling handshake never followed by a poll): its end reaches the hub through no namespace, so
 * it stays in the {@code ClientsBox} for good.
 *
 * <p>So every session is put, right after netty-socketio's handshake made it, in one more namespace
 * that no client can name ({@link #ANCHOR}, in no {@code NamespacesHub}), through netty-socketio's
 * public {@code ClientHead.addNamespaceClient}. Leaving Socket.IO namespaces never empties the
 * session; its real end ({@code ClientHead.onChannelDisconnect}) leaves the anchor too and so still
 * reaches the hub. Sits before netty-socketio's {@code AuthorizeHandler}, looking only at handshake
 * requests. Being on every session's way in and out, it also counts the open sessions (what {@code
 * maxConnections} bounds: a client that leaves every namespace still holds one) and tells of each
 * end ({@link PollingDisconnectDelivered}).
 */
@Sharable
public final class SessionOutlivesNamespaces extends ChannelInboundHandlerAdapter {
  /**
   * The anchor namespace's name: not a name a client can send (it does not start with {@code /}).
   */
  public static final String ANCHOR = "\u0000session";

  private final Namespace anchor;

  /**
   * The open sessions: a set, not a count, as netty-socketio may end one session on two threads.
   */
  private final Set<UUID> open = ConcurrentHashMap.newKeySet();

  /**
   * Creates the handler for a server of {@code configuration}; {@code ended} hears of each
   * session's end, on the thread that ends it.
   */
  public SessionOutlivesNamespaces(Configuration configuration, Consumer<ClientHead> ended) {
    this.anchor = new Namespace(ANCHOR, configuration);
    // Called once per session, by netty-socketio's own session end, as it leaves the anchor.
    anchor.addDisconnectListener(
        client -> {
          if (open.remove(client.getSessionId()) && client instanceof NamespaceClient nc) {
            ended.accept(nc.getBaseClient());
          }
        });
  }

  /** How many Engine.IO sessions are open, whether or not their client joined a namespace. */
  public int open() {
    return open.size();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    // EngineIoMarks, earlier in the pipeline, noted the request's sid if it named one.
    boolean handshake =
        msg instanceof FullHttpRequest && EngineIoMarks.session(ctx.channel()) == null;
    super.channelRead(ctx, msg); // netty-socketio makes the session here, on this thread
    if (handshake) {
      ClientHead head = ctx.channel().attr(ClientHead.CLIENT).get();
      if (head != null && head.isConnected() && head.getChildClient(anchor) == null) {
        open.add(head.getSessionId());
        head.addNamespaceClient(anchor);
      }
    }
  }
}
