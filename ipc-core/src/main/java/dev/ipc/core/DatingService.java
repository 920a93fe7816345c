package dev.ipc.core;

import dev.ipc.core.annotation.IpcService;
import dev.ipc.core.annotation.Mutation;
import dev.ipc.core.model.ServiceDescriptor;

/** The article's gRPC {@code date.Dating} service. Implementations must be thread-safe. */
@IpcService(grpcPackage = "date", grpcService = "Dating")
public interface DatingService {
  /**
   * Describes this service to the adapters; the gRPC names are the article's {@code dating.proto}.
   */
  ServiceDescriptor<DatingService> DESCRIPTOR = Descriptors.DATING;

  /** Returns how eating {@code eat.food()} felt. {@code food} is never blank here. */
  @Mutation
  Feel eating(Eat eat);

  /** Returns how watching {@code movie.film()} felt. {@code film} is never blank here. */
  @Mutation
  Feel watchMovie(Movie movie);
}
