package dev.ipc.core;

import dev.ipc.core.annotation.Event;
import dev.ipc.core.annotation.Graphql;
import dev.ipc.core.annotation.Grpc;
import dev.ipc.core.annotation.IpcService;
import dev.ipc.core.annotation.Rest;
import dev.ipc.core.model.ServiceDescriptor;

/** The article's GraphQL person. Implementations must be thread-safe. */
@IpcService(grpcPackage = "person", grpcService = "People")
public interface PersonService {
  /** Describes this service to the adapters; GraphQL also spreads its fields at the query root. */
  ServiceDescriptor<PersonService> DESCRIPTOR = Descriptors.PERSON;

  /** Returns the person. */
  @Grpc(method = "GetPerson")
  @Rest(method = "GET", path = "/person")
  @Graphql(rootFields = true)
  @Event("person:get")
  Person person();
}
