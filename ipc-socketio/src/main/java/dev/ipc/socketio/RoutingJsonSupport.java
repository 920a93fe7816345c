package dev.ipc.socketio;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.protocol.AckArgs;
import com.corundumstudio.socketio.protocol.AuthPacket;
import com.corundumstudio.socketio.protocol.Event;
import com.corundumstudio.socketio.protocol.JsonSupport;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.socketio.internal.BinaryPlaceholders;
import dev.ipc.socketio.internal.ConnectErrorObject;
import dev.ipc.socketio.internal.HandshakeMaxPayload;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * netty-socketio's JSON support, except that every incoming event is decoded generically and handed
 * to one internal listener as an {@link Incoming}. netty-socketio silently drops events nobody
 * listens to; routing them all through {@link #DISPATCH} lets the server answer unknown events with
 * UNIMPLEMENTED.
 */
final class RoutingJsonSupport implements JsonSupport {
  /** The one event name netty-socketio ever sees; no client can send it (it starts with NUL). */
  static final String DISPATCH = "\u0000ipc";

  /** An event as the client sent it: its name and all its arguments as plain JSON values. */
  record Incoming(String name, List<Object> args) {}

  private final JsonSupport delegate;
  private final ObjectMapper mapper = new ObjectMapper();
  private final int maxPayload;

  RoutingJsonSupport(JsonSupport delegate, int maxPayload) {
    this.delegate = delegate;
    this.maxPayload = maxPayload;
  }

  @Override
  public <T> T readValue(String namespaceName, ByteBufInputStream src, Class<T> valueType)
      throws IOException {
    if (valueType != Event.class) {
      return delegate.readValue(namespaceName, src, valueType);
    }
    List<?> array = mapper.readValue((InputStream) src, List.class);
    if (array.isEmpty() || !(array.get(0) instanceof String first)) {
      throw new IOException("an event needs a name as its first element");
    }
    String name = first;
    @SuppressWarnings("unchecked")
    List<Object> args = (List<Object>) array.subList(1, array.size());
    if (!name.isEmpty() && name.charAt(0) == BinaryPlaceholders.MARK) {
      name = name.substring(1);
      args = BinaryPlaceholders.unmark(args);
    }
    return valueType.cast(new Event(DISPATCH, List.of(new Incoming(name, args))));
  }

  @Override
  public AckArgs readAckArgs(ByteBufInputStream src, AckCallback<?> callback) throws IOException {
    return delegate.readAckArgs(src, callback);
  }

  @Override
  public void writeValue(ByteBufOutputStream out, Object value) throws IOException {
    if (value instanceof AuthPacket open) {
      delegate.writeValue(out, HandshakeMaxPayload.of(open, maxPayload));
      return;
    }
    if (value instanceof String connectError) {
      delegate.writeValue(out, ConnectErrorObject.of(connectError));
      return;
    }
    delegate.writeValue(out, value);
  }

  @Override
  public void addEventMapping(String namespaceName, String eventName, Class<?>... eventClass) {
    delegate.addEventMapping(namespaceName, eventName, eventClass);
  }

  @Override
  public void removeEventMapping(String namespaceName, String eventName) {
    delegate.removeEventMapping(namespaceName, eventName);
  }

  @Override
  public List<byte[]> getArrays() {
    return delegate.getArrays();
  }
}
