package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Puts the HTTP response encoder right after the request decoder, before the body aggregator.
 * netty-socketio 2.0.14 puts it after the aggregator, so the 413 the aggregator writes for an
 * oversized body never passes an encoder: the client gets no answer until it gives up.
 */
public final class EncodedEntityTooLarge {
  private EncodedEntityTooLarge() {}

  /** Moves the encoder of {@code pipeline}, which netty-socketio has just filled. */
  public static void apply(ChannelPipeline pipeline) {
    pipeline.remove(SocketIOChannelInitializer.HTTP_ENCODER);
    pipeline.addAfter(
        SocketIOChannelInitializer.HTTP_REQUEST_DECODER,
        SocketIOChannelInitializer.HTTP_ENCODER,
        new HttpResponseEncoder());
  }
}
