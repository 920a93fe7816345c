package dev.ipc.socketio;

import dev.ipc.core.spi.TransportOptions;
import dev.ipc.core.Client;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportProvider;
import java.util.Map;

/**
 * Plugs Socket.IO into {@code Transports} under the scheme {@code socketio}:
 * {@code socketio://0.0.0.0:8080?maxPayload=1MiB&pingInterval=25s&pingTimeout=20s&maxConnections=10000&maxCallsPerClient=1000&maxBufferedBytes=256MiB&cors=https://a.example,https://b.example&compression=false&workerThreads=2}
 * to serve, {@code socketio://localhost:8080?timeout=5s&transports=polling,websocket&ca=/path/ca.pem} to connect
 * ({@code tls=true}, {@code ca}, {@code cert} and {@code key} as {@link SocketIoClient.Builder} has them).
 */
public final class SocketIoTransportProvider implements TransportProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls it. */
  public SocketIoTransportProvider() {}

  @Override
  public String scheme() {
    return "socketio";
  }

  @Override
  public Transport create(String host, int port, Map<String, String> options) {
    SocketIoTransport.Builder b = SocketIoTransport.builder().host(host).port(port);
    for (Map.Entry<String, String> o : options.entrySet()) {
      String key = o.getKey();
      String value = o.getValue();
      switch (key) {
        case "maxPayload" -> b.maxPayload(TransportOptions.size(key, value));
        case "maxConnections" -> b.maxConnections(TransportOptions.positive(key, value));
        case "maxBufferedBytes" -> b.maxBufferedBytes(TransportOptions.size(key, value));
        case "maxCallsPerClient" -> b.maxCallsPerClient(TransportOptions.positive(key, value));
        case "pingInterval" -> b.pingInterval(TransportOptions.duration(key, value));
        case "pingTimeout" -> b.pingTimeout(TransportOptions.duration(key, value));
        case "compression" -> b.compression(TransportOptions.bool(key, value));
        case "cors" -> b.cors(value.isBlank() ? new String[0] : value.split("\\s*,\\s*"));
        case "workerThreads" -> b.workerThreads(TransportOptions.positive(key, value));
        default -> throw new IllegalArgumentException(
            "option: " + key
                + " (expected: maxPayload, maxConnections, maxCallsPerClient, maxBufferedBytes, pingInterval,"
                + " pingTimeout, compression, cors, workerThreads)");
      }
    }
    return b.build();
  }

  @Override
  public Client connect(String host, int port, Map<String, String> options) {
    SocketIoClient.Builder b = SocketIoClient.builder().target(host, port);
    for (Map.Entry<String, String> o : options.entrySet()) {
      String key = o.getKey();
      String value = o.getValue();
      switch (key) {
        case "timeout" -> b.timeout(TransportOptions.duration(key, value));
        case "transports" -> b.transports(value.split(","));
        case "tls" -> b.tls(TransportOptions.bool(key, value));
        case "ca" -> b.ca(path(key, value));
        case "cert" -> b.cert(path(key, value));
        case "key" -> b.key(path(key, value));
        default -> throw new IllegalArgumentException(
            "option: " + key + " (expected: timeout, transports, tls, ca, cert, key)");
      }
    }
    return b.build();
  }

  private static java.nio.file.Path path(String key, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(key + ": empty (expected: a PEM file's path)");
    }
    return java.nio.file.Path.of(value);
  }
}
