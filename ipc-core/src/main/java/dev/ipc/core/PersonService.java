package dev.ipc.core;

import dev.ipc.core.model.ServiceDescriptor;

/** The article's GraphQL person. Implementations must be thread-safe. */
public interface PersonService {
  /** Describes this service to the adapters; GraphQL also spreads its fields at the query root. */
  ServiceDescriptor<PersonService> DESCRIPTOR = Descriptors.PERSON;

  /** Returns the person. */
  Person person();
}
