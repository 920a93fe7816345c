package dev.ipc.http.internal;

import dev.ipc.core.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.List;

/**
 * Turns a connection into a WebSocket ({@link HttpResponse#webSocket}): checks the opening
 * handshake and its Origin, answers the ones refused (400, 403, 426) like any answer, and otherwise
 * puts a {@link WebSocketConnection} in place of the HTTP handlers and lets Netty's handshaker swap
 * the HTTP codec for the frame codec and write the 101. Nothing after a granted upgrade is HTTP, so
 * requests pipelined behind it are dropped. Event loop.
 */
// Netty's close() returns a future left alone on purpose: a close ends with the channel closed
// whether
// or not its future fails.
@SuppressWarnings("FutureReturnValueIgnored")
final class WebSocketUpgrade {
  private WebSocketUpgrade() {}

  /** Upgrades the connection to a WebSocket for {@code r}, the handler's answer to {@code p}. */
  static void upgrade(HttpConnection connection, Pending p, HttpResponse r) {
    HttpServer server = connection.server;
    ChannelHandlerContext ctx = connection.ctx;
    if (!ctx.channel().isActive()) {
      server.requestFinished();
      connection.queue.drop();
      return;
    }
    HttpRequest req = p.request();
    if (p.http10()
        || !req.isWebSocketUpgrade()
        || req.header("sec-websocket-key") == null
        || !hasToken(req.headers("connection"), "upgrade")) {
      connection.writer.write(
          p,
          HttpResponse.problem(
              400,
              ErrorCode.INVALID_ARGUMENT,
              "expected a WebSocket opening handshake (GET with Upgrade: websocket, Connection: Upgrade,"
                  + " Sec-WebSocket-Key)"));
      return;
    }
    boolean tls = connection.ssl != null;
    String origin = req.header("origin");
    if (!Cors.allowsWebSocket(server.cors, origin, req.header("host"), tls)) {
      connection.writer.write(
          p,
          HttpResponse.problem(403, ErrorCode.PERMISSION_DENIED, "origin not allowed: " + origin));
      return;
    }
    FullHttpRequest nettyRequest =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.GET,
            req.uri(),
            Unpooled.EMPTY_BUFFER,
            req.nettyHeaders(),
            EmptyHttpHeaders.INSTANCE);
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(
                (tls ? "wss://" : "ws://") + req.header("host") + req.uri(),
                r.subprotocol(),
                WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(Math.max(125, server.maxBodyBytes))
                    .allowExtensions(false)
                    // The frame decoder's own close frame would be written below the frame encoder
                    // and
                    // never reach the client: WebSocketConnection answers the violation instead.
                    .closeOnProtocolViolation(false)
                    .build())
            .newHandshaker(nettyRequest);
    if (handshaker == null) {
      connection.writer.write(
          p,
          HttpResponse.problem(
                  426, ErrorCode.INVALID_ARGUMENT, "unsupported WebSocket version (expected: 13)")
              .withHeader("sec-websocket-version", "13"));
      return;
    }
    connection.closing = true;
    connection.limits.cancelRequestTimer();
    connection.queue.drain();
    connection.limits.releaseBodyBytes();
    WebSocketConnection ws = new WebSocketConnection(server, r.webSocketHandler(), req);
    ChannelPipeline pipeline = ctx.pipeline();
    Channel channel = ctx.channel();
    if (pipeline.context(connection.limits) != null) {
      pipeline.remove(connection.limits);
    }
    pipeline.replace(connection, "ipc-websocket", ws);
    pipeline.addBefore("ipc-websocket", "ipc-websocket-aggregator", ws.aggregator());
    ChannelPromise done = channel.newPromise();
    done.addListener(
        f -> {
          server.requestFinished();
          if (f.isSuccess()) {
            ws.opened(handshaker);
          } else {
            HttpServer.debug(server.name + ": WebSocket handshake failed", f.cause());
            channel.close();
          }
        });
    try {
      handshaker.handshake(channel, nettyRequest, null, done);
    } catch (RuntimeException e) {
      done.tryFailure(e);
    }
  }

  private static boolean hasToken(List<String> values, String token) {
    for (String v : values) {
      for (String t : v.split(",", -1)) {
        if (t.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }
}
