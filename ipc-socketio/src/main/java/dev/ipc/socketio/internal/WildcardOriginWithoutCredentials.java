package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.handler.EncoderHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;

/**
 * Answers a browser origin let in only by the {@code "*"} entry of the {@code cors} list with
 * {@code Access-Control-Allow-Origin: *} and no credentials. netty-socketio 2.0.14 reflects any
 * request's {@code Origin} with {@code Access-Control-Allow-Credentials: true} ({@code
 * EncoderHandler.addOriginHeaders}, fed by the channel's {@code ORIGIN} attribute that {@code
 * PollingTransport} and {@code AuthorizeHandler} take from the header), so every page could send
 * its user's cookies. Without the header it answers {@code *} and no credentials.
 */
public final class WildcardOriginWithoutCredentials {
  private WildcardOriginWithoutCredentials() {}

  /**
   * Drops the {@code Origin} of {@code req}, on the connection of {@code ctx}, before
   * netty-socketio reads it.
   */
  public static void apply(ChannelHandlerContext ctx, FullHttpRequest req) {
    req.headers().remove(HttpHeaderNames.ORIGIN);
    ctx.channel().attr(EncoderHandler.ORIGIN).set(null);
  }
}
