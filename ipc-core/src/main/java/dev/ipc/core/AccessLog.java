package dev.ipc.core;

import dev.ipc.core.model.Reply;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An access log: one line per call on every transport, through SLF4J's logger {@code
 * dev.ipc.access} at INFO: transport, service and operation, outcome code, duration, peer address
 * and principal name. Never a body, a header value, a query string, a token or a cookie: a line
 * holds only what the model and the connection say, so nothing a caller sent can end up in it. Add
 * it before {@code authenticate(...)} to log the calls authentication refuses too.
 */
public final class AccessLog implements Interceptor {
  private static final Logger LOG = LoggerFactory.getLogger("dev.ipc.access");

  private AccessLog() {}

  /** Returns the access log interceptor. */
  public static AccessLog create() {
    return new AccessLog();
  }

  @Override
  public Reply intercept(CallContext context, Object request, Next next) {
    if (!LOG.isInfoEnabled()) {
      return next.proceed(request);
    }
    long start = System.nanoTime();
    String code = ErrorCode.INTERNAL.name();
    try {
      Reply reply = next.proceed(request);
      code = "OK";
      return reply;
    } catch (ServiceException e) {
      code = e.code().name();
      throw e;
    } finally {
      InetSocketAddress peer = context.peer();
      LOG.info(
          "{} {}.{} {} {}us peer={} principal={}",
          context.transport(),
          context.operation().service(),
          context.operation().name(),
          code,
          (System.nanoTime() - start) / 1000,
          peer == null || peer.getAddress() == null ? "-" : peer.getAddress().getHostAddress(),
          context.principal() == null ? "-" : context.principal().name());
    }
  }
}
