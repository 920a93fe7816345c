/**
 * The GraphQL adapter: {@link dev.ipc.graphql.GraphqlTransport} serves every described service at
 * {@code /graphql} with a schema generated from the core model (and GraphiQL for browsers); {@link
 * dev.ipc.graphql.GraphqlClient} calls them back through the same service interfaces. The {@code
 * graphql://host:port} scheme plugs both into {@code Transports}.
 */
package dev.ipc.graphql;
