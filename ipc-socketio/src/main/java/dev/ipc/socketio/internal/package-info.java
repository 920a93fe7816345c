/**
 * Not an API: the fixes ipc-socketio applies to netty-socketio, one class per defect, each named
 * for what it fixes and saying in its comment which netty-socketio behaviour it works around.
 * Everything here is written for the netty-socketio version {@link
 * dev.ipc.socketio.internal.NettySocketIo#VERSION} names; what reaches into its internals is
 * checked once when a server starts, and a mismatch fails the start with a message naming the
 * version, never a silent fallback.
 */
package dev.ipc.socketio.internal;
