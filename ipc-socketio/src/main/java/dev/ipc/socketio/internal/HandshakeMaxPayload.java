package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.protocol.AuthPacket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds {@code maxPayload} to the Engine.IO handshake. netty-socketio 2.0.14's {@link AuthPacket}
 * has only {@code sid}, {@code upgrades}, {@code pingInterval} and {@code pingTimeout}, while
 * Engine.IO v4 defines {@code maxPayload} too (clients size their polling batches by it, and the
 * protocol's test suite checks it).
 */
public final class HandshakeMaxPayload {
  private HandshakeMaxPayload() {}

  /** Returns the handshake {@code open} as a JSON object with {@code maxPayload} added. */
  public static Map<String, Object> of(AuthPacket open, int maxPayload) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sid", open.getSid().toString());
    m.put("upgrades", List.of(open.getUpgrades()));
    m.put("pingInterval", open.getPingInterval());
    m.put("pingTimeout", open.getPingTimeout());
    m.put("maxPayload", maxPayload);
    return m;
  }
}
