package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.EncoderHandler;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;
import io.netty.channel.Channel;

/**
 * Undoes the main-namespace join netty-socketio 2.0.14 makes on each long-poll ({@code
 * PollingTransport.onGet} calls {@code AuthorizeHandler.connect}, which joins the session to the
 * main namespace whenever it is not in it), where Node's server would not have the client there:
 *
 * <ul>
 *   <li>a session that has ended: a poll that fetched it just before its end (ping timeout, close)
 *       brings it back as a client nobody would ever disconnect. Its end has been heard; the client
 *       goes again, and the poll gets the session's last packets or else its disconnect, never a
 *       second one;
 *   <li>a client that left the main namespace ({@code 41}) and has not connected again ({@code
 *       40}): it would be back in the namespace unasked, its events handled. Node ignores them.
 * </ul>
 *
 * Called from netty-socketio's main-namespace connect listener, on the event loop of the poll.
 */
public final class PollRejoinsMainNamespace {
  private static final String LEFT = "ipc.leftMainNamespace";

  private PollRejoinsMainNamespace() {}

  /**
   * Notes that the client of the open session {@code head} left the main namespace ({@code 41}).
   */
  public static void left(ClientHead head) {
    if (head.isConnected()) {
      head.getStore().set(LEFT, Boolean.TRUE);
    }
  }

  /**
   * Notes that the client of {@code head} asks to connect to the main namespace again ({@code 40}).
   */
  public static void connecting(ClientHead head) {
    head.getStore().del(LEFT);
  }

  /**
   * Undoes netty-socketio's join of {@code client} to the main namespace if Node's server would not
   * have it there; returns whether it did.
   */
  public static boolean undo(NamespaceClient client) {
    ClientHead head = client.getBaseClient();
    if (!head.isConnected()) {
      // Out again, without a second end of the session (and a second 41) as a disconnect would
      // make.
      client.onDisconnect();
      // The poll that brought it back got the session's last packets, if any waited; if none did,
      // it gets the disconnect rather than staying open.
      Channel poll = NettySocketIo.channel(head, Transport.POLLING);
      if (poll != null
          && poll.attr(EncoderHandler.WRITE_ONCE).get() == null
          && head.getPacketsQueue(Transport.POLLING).isEmpty()) {
        Packet disconnect = new Packet(PacketType.MESSAGE, head.getEngineIOVersion());
        disconnect.setSubType(PacketType.DISCONNECT);
        synchronized (head) {
          head.send(disconnect, Transport.POLLING);
        }
      }
      return true;
    }
    if (head.getStore().has(LEFT)) {
      // As netty-socketio's own leave on a 41: out of the namespace and its rooms, the session
      // kept.
      client.onDisconnect();
      return true;
    }
    return false;
  }
}
