/**
 * The transport SPI: what an adapter module implements to plug into {@code Transports.serve}.
 * Adapters register a {@link dev.ipc.core.spi.TransportProvider} in {@code META-INF/services};
 * hosts never need these types.
 */
package dev.ipc.core.spi;
