/**
 * An {@link dev.ipc.core.spi.EventBus} on Redis pub/sub, so several ipc nodes serve one service:
 * {@code Transports.builder().bus(RedisBus.of("redis://host:6379"))}.
 */
package dev.ipc.redis;
