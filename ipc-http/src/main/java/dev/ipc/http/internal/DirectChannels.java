package dev.ipc.http.internal;

import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * Netty NIO channels whose socket a call thread may write itself.
 *
 * <p>Why: Netty writes a channel only from its event loop, so an answer made on a call thread costs
 * a second hand-off (queue a task, wake the loop) after the first one (wake the call thread).
 * Measured on 2 cores, those wake-ups were most of the REST adapter's cost over a raw Netty
 * handler. A connection answers one request at a time and nothing else writes it meanwhile, so the
 * call thread can write the encoded answer to the socket directly; only what the socket does not
 * take at once goes through Netty.
 *
 * <p>NIO, not epoll (which is ~15 % faster for a raw handler here): the JDK's channel keeps its
 * file descriptor until a write in progress ends, while Netty's epoll channel frees it at once when
 * the loop closes the connection, so a call thread's write racing that close could reach a
 * connection accepted meanwhile under the same number.
 *
 * <p>Never with TLS: bytes written here skip the pipeline, its {@code SslHandler} included, so a
 * TLS server ({@link HttpServerBuilder#tls}) accepts plain Netty channels and every answer goes
 * through the event loop.
 */
final class DirectChannels {
  private DirectChannels() {}

  /** Accepts {@link Client} channels instead of plain ones. */
  static final class Server extends NioServerSocketChannel {
    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
      SocketChannel ch = javaChannel().accept();
      if (ch == null) {
        return 0;
      }
      try {
        buf.add(new Client(this, ch));
        return 1;
      } catch (RuntimeException e) {
        // As Netty's own server channel does: drop this connection, keep accepting others.
        HttpServer.warn("cannot set up an accepted connection", e);
        ch.close();
        return 0;
      }
    }
  }

  /** An accepted connection whose socket can be written from any thread, see {@link #writeNow}. */
  static final class Client extends NioSocketChannel {
    Client(Channel parent, SocketChannel socket) {
      super(parent, socket);
    }

    /**
     * Writes as much of {@code bytes} as the socket takes without blocking; returns the bytes
     * written. Only while no other write of this channel is pending (the JDK serializes concurrent
     * writes, but Netty's own buffer would be overtaken).
     */
    int writeNow(ByteBuffer bytes) throws IOException {
      return javaChannel().write(bytes);
    }
  }
}
