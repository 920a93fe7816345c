package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.Queue;

/**
 * netty-socketio's packet encoder, except that a long-polling answer carries every queued packet.
 * netty-socketio 2.0.14 stops at 50 an answer, and the 51st, already taken off the queue, is lost:
 * a client 51 packets behind (a broadcast burst does it) loses one. Node's engine.io sends the
 * whole queue as well.
 */
public final class WholePollingQueue extends PacketEncoder {
  /** Creates the encoder of a server of {@code configuration}. */
  public WholePollingQueue(Configuration configuration) {
    super(configuration, configuration.getJsonSupport());
  }

  @Override
  public void encodePackets(
      Queue<Packet> packets, ByteBuf buffer, ByteBufAllocator allocator, int limit)
      throws IOException {
    super.encodePackets(packets, buffer, allocator, Integer.MAX_VALUE);
  }

  @Override
  public void encodeJsonP(
      Integer jsonpIndex, Queue<Packet> packets, ByteBuf out, ByteBufAllocator allocator, int limit)
      throws IOException {
    super.encodeJsonP(jsonpIndex, packets, out, allocator, Integer.MAX_VALUE);
  }
}
