/**
 * Socket.IO for ipc services: {@link dev.ipc.socketio.SocketIoTransport} serves every described
 * operation as an event answered through its acknowledgement (the convention is on that class),
 * broadcasts published values, and takes host events ({@link dev.ipc.socketio.SocketIoHandler},
 * {@link dev.ipc.socketio.SocketIoSession}, {@link dev.ipc.socketio.SocketIoAck}); {@link
 * dev.ipc.socketio.SocketIoClient} calls them from Java. netty-socketio, the engine underneath,
 * never appears in this package's public signatures.
 */
package dev.ipc.socketio;
