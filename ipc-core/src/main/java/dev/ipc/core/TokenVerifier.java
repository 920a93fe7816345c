package dev.ipc.core;

/**
 * Turns a bearer token into the {@link Principal} it stands for: the host's own check (a lookup, a
 * JWT verification...). Given once to {@code Transports.builder().authenticate(...)}, it serves
 * every transport: {@code Authorization: Bearer} over HTTP and gRPC, the handshake's {@code
 * auth.token} over Socket.IO (once per connection). Must be thread-safe; it runs on call threads
 * and may block.
 */
@FunctionalInterface
public interface TokenVerifier {
  /**
   * Returns the principal of {@code token}, or null when the token is not valid (the caller then
   * gets UNAUTHENTICATED). It may also throw a {@link ServiceException} of its own.
   */
  Principal verify(String token);
}
