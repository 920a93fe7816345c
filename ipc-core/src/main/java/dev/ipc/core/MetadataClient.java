package dev.ipc.core;

import dev.ipc.core.model.Operation;
import dev.ipc.core.model.Reply;

/** A view of a client that adds metadata to every call; see {@link Client#withMetadata}. */
final class MetadataClient implements Client {
  private final Client client;
  private final Metadata metadata;

  MetadataClient(Client client, Metadata metadata) {
    this.client = client;
    this.metadata = metadata;
  }

  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request) {
    return client.call(operation, request, metadata);
  }

  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request, Metadata more) {
    return client.call(operation, request, metadata.with(more));
  }

  @Override
  public Client withMetadata(Metadata more) {
    return new MetadataClient(client, metadata.with(more));
  }

  /** Closes nothing: the connections are the underlying client's. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return client + " with " + metadata;
  }
}
