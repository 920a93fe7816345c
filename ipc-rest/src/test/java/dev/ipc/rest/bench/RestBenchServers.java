package dev.ipc.rest.bench;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.rest.RestTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Starts the two JVM servers {@code bench/rest.sh} loads with wrk: ipc-rest serving the reference
 * services, and a minimal raw Netty handler answering the same bytes (the baseline). Prints {@code
 * ipc-rest <port>} and {@code raw-netty <port>}, then serves until stdin closes.
 */
// The raw-Netty baseline is written as the smallest Netty server is: its keep-alive writes and its
// shutdown at exit are fire-and-forget, and the benchmark's client sees any failure.
@SuppressWarnings("FutureReturnValueIgnored")
public final class RestBenchServers {
  private static final byte[] TASKS =
      "[{\"id\":1,\"name\":\"task1\"},{\"id\":2,\"name\":\"task2\"},{\"id\":3,\"name\":\"task3\"}]"
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] TASK =
      "{\"id\":1,\"name\":\"bench\"}".getBytes(StandardCharsets.UTF_8);

  private RestBenchServers() {}

  private static RestTransport.Builder inline(RestTransport.Builder b) {
    Integer loops = Integer.getInteger("bench.workerThreads");
    if (loops != null) {
      b.workerThreads(loops);
    }
    return Boolean.getBoolean("bench.inline") ? b.executor(Runnable::run) : b;
  }

  /** Runs the servers; the script ends them by closing stdin. */
  public static void main(String[] args) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    Transports.Builder builder = Transports.builder().services(Reference.services());
    Integer callThreads = Integer.getInteger("bench.callThreads");
    if (callThreads != null) {
      builder.executor(java.util.concurrent.Executors.newFixedThreadPool(callThreads));
    } else if (Boolean.getBoolean("bench.tpe")) {
      builder.executor(java.util.concurrent.Executors.newFixedThreadPool(64));
    }
    Server rest =
        builder
            .transport(inline(RestTransport.builder().host("127.0.0.1").port(0)).build())
            .start();
    EventLoopGroup boss = new NioEventLoopGroup(1);
    EventLoopGroup workers = new NioEventLoopGroup(threads);
    Channel raw =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1024 * 1024))
                        .addLast(new RawHandler());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    System.out.println("ipc-rest " + rest.port("rest"));
    System.out.println("raw-netty " + ((java.net.InetSocketAddress) raw.localAddress()).getPort());
    System.out.flush();
    while (System.in.read() != -1) {
      // serve until the script closes our stdin
    }
    raw.close().sync();
    boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    rest.close();
  }

  /** Answers GET /tasks and PUT /tasks/{id} with fixed bytes, as small as a Netty handler gets. */
  private static final class RawHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      byte[] body = HttpMethod.PUT.equals(req.method()) ? TASK : TASKS;
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      if (HttpUtil.isKeepAlive(req)) {
        ctx.writeAndFlush(res);
      } else {
        ctx.writeAndFlush(res).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      }
    }
  }
}
