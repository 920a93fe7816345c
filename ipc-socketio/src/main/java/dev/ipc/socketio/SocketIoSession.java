package dev.ipc.socketio;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One client connected to one namespace, as a handler or listener sees it. Values sent are
 * serialized as JSON ({@code Map}, {@code List}, records, strings, numbers, booleans); a {@code
 * byte[]} goes as a binary attachment. Thread-safe.
 */
public interface SocketIoSession {
  /** Returns the session id the server gave this client. */
  String id();

  /** Returns the namespace this session is connected to: {@code "/"} for the main one. */
  String namespace();

  /**
   * Returns the {@code auth} payload the client sent with its namespace connect ({@code io({auth:
   * {token: "..."}})}), as plain JSON values; empty when it sent none.
   */
  Map<String, Object> auth();

  /**
   * Returns who this connection authenticated as: the principal the {@code auth.token} (or {@code
   * Authorization: Bearer} header) of its main-namespace connect verified as, checked once per
   * connection when the server authenticates ({@code Transports.builder().authenticate}); empty for
   * an anonymous connection, one not connected to the main namespace, or a server that does not
   * authenticate.
   */
  java.util.Optional<dev.ipc.core.Principal> principal();

  /** Returns the headers of the client's handshake request, names in lower case. */
  Map<String, List<String>> headers();

  /**
   * Returns the query parameters of the client's handshake request ({@code EIO}, {@code
   * transport}...).
   */
  Map<String, List<String>> query();

  /** Returns the address the client's handshake came from. */
  InetSocketAddress remoteAddress();

  /** Emits {@code event} with {@code data} to this client only. */
  void send(String event, Object... data);

  /**
   * Emits {@code event} with {@code data} to every client of this namespace, this one included;
   * with a cluster (a bus that carries messages, see {@link SocketIoTransport}), also to the
   * clients of the other nodes, as this one's other broadcasts.
   */
  void broadcast(String event, Object... data);

  /**
   * Emits {@code event} with {@code data} to every other client of this namespace, as Socket.IO's
   * {@code socket.broadcast.emit} does.
   */
  void broadcastToOthers(String event, Object... data);

  /** Adds this session to {@code room} of its namespace; joining twice is joining once. */
  void join(String room);

  /** Removes this session from {@code room}; nothing happens if it was not in it. */
  void leave(String room);

  /** Returns the rooms this session has joined. */
  java.util.Set<String> rooms();

  /**
   * Emits {@code event} with {@code data} to every client in {@code room} of this namespace but
   * this one, as Socket.IO's {@code socket.to(room).emit} does.
   */
  void sendToRoom(String room, String event, Object... data);
}
