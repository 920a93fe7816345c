package dev.ipc.core;

import dev.ipc.core.model.Operation;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.BoundService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's authentication, interceptors and TLS, as the builder set them: the part of every call
 * that runs before the host's interceptors, the same on every transport.
 */
record Security(
    TokenVerifier verifier,
    List<Interceptor> interceptors,
    Tls tls,
    Duration callTimeout,
    Duration readinessDelay) {
  private static final Logger LOG = LoggerFactory.getLogger(Security.class);

  /**
   * Builds the chain: the host's interceptors in the order added, with authentication where {@code
   * authenticate(...)} was called among them ({@code authAt}), so an interceptor added before it
   * (metrics, traces, access logs) also sees the calls authentication refuses.
   */
  static Security of(
      TokenVerifier verifier,
      List<Interceptor> hostInterceptors,
      int authAt,
      Tls tls,
      Duration callTimeout,
      Duration readinessDelay) {
    List<Interceptor> chain = new ArrayList<>(hostInterceptors);
    Security[] self = new Security[1];
    if (verifier != null) {
      chain.add(
          authAt,
          (context, request, next) -> {
            self[0].check(context);
            return next.proceed(request);
          });
    }
    self[0] = new Security(verifier, chain, tls, callTimeout, readinessDelay);
    return self[0];
  }

  Security {
    interceptors = List.copyOf(interceptors);
  }

  static Security open() {
    return new Security(null, List.of(), null, null, Duration.ZERO);
  }

  /**
   * Authenticates the caller if it presented a credential, then checks the operation's
   * requirements. A credential that is presented must be valid even where the operation is public:
   * a caller who sends a wrong token learns so at once, not at its first write.
   */
  void check(CallContext context) {
    if (verifier == null) {
      return;
    }
    if (context.principal() == null && context.credential() != null) {
      context.principal(authenticate(context.credential()));
    }
    Operation<?, ?, ?> op = context.operation();
    if (!op.requiresAuthentication()) {
      return;
    }
    Principal who = context.principal();
    if (who == null) {
      throw new ServiceException(
          ErrorCode.UNAUTHENTICATED,
          op.service() + "." + op.name() + " needs credentials (expected: a bearer token)");
    }
    if (!op.roles().isEmpty() && op.roles().stream().noneMatch(who::hasRole)) {
      throw new ServiceException(
          ErrorCode.PERMISSION_DENIED,
          op.service()
              + "."
              + op.name()
              + " needs role "
              + String.join(" or ", op.roles().stream().sorted().toList()));
    }
  }

  Principal authenticate(String credential) {
    if (verifier == null || credential == null) {
      return null;
    }
    Principal who = verifier.verify(credential);
    if (who == null) {
      // Never the token itself: it may be a real one mistyped.
      throw new ServiceException(ErrorCode.UNAUTHENTICATED, "invalid credentials");
    }
    return who;
  }

  /** Says once at start when operations declare roles that nothing will check. */
  void warnIfOpen(List<BoundService> services) {
    if (verifier != null) {
      return;
    }
    List<String> guarded = new ArrayList<>();
    for (BoundService s : services) {
      for (BoundOperation b : s.operations()) {
        if (b.operation().requiresAuthentication()) {
          guarded.add(b.operation().toString());
        }
      }
    }
    if (!guarded.isEmpty()) {
      LOG.info(
          "no authentication configured: {} declare roles but are served to anyone"
              + " (Transports.builder().authenticate(...) enforces them)",
          guarded);
    }
  }
}
