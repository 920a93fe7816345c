/**
 * The HTTP/1.1 server and client plumbing the REST ({@code dev.ipc.rest}) and GraphQL ({@code
 * dev.ipc.graphql}) transports share, on Netty. <b>Not API</b>: hosts never use it directly; only
 * ipc-rest and ipc-graphql do, and it may change in any release without notice.
 *
 * <p>Its public types are only those the two transports use: the server ({@link
 * dev.ipc.http.internal.HttpServer}, {@link dev.ipc.http.internal.HttpServerBuilder}), what a
 * handler sees and answers ({@link dev.ipc.http.internal.HttpHandler}, {@link
 * dev.ipc.http.internal.HttpRequest}, {@link dev.ipc.http.internal.HttpResponse}, {@link
 * dev.ipc.http.internal.EventStream}, {@link dev.ipc.http.internal.EventWriter}, {@link
 * dev.ipc.http.internal.WebSocketHandler}, {@link dev.ipc.http.internal.WebSocketSession}) and the
 * client side ({@link dev.ipc.http.internal.HttpClientPool}, {@link
 * dev.ipc.http.internal.ClientTls}). Everything else is package-private. Under JPMS: as an
 * automatic module ({@code Automatic-Module-Name: dev.ipc.http}) the jar exports every package, so
 * the {@code internal} name is the only fence; if it gets a {@code module-info.java}, this package
 * is exported only to {@code dev.ipc.rest} and {@code dev.ipc.graphql} ({@code exports
 * dev.ipc.http.internal to dev.ipc.rest, dev.ipc.graphql;}).
 *
 * <p>How a connection is served, one job per class: {@code HttpConnection} (the connection's
 * handler: queues each request and runs the handler), {@code RequestLimits} (body budget, size and
 * deadline of requests arriving), {@code RequestReader} (a decoded request made into the handler's
 * {@code HttpRequest}, or the server's own answer), {@code ResponseQueue} (answers in request
 * order), {@code ResponseWriter} and {@code ResponseEncoding} (answers onto the wire), {@code
 * Cors}, {@code EventStreamStart} and {@code WebSocketUpgrade}.
 */
package dev.ipc.http.internal;
