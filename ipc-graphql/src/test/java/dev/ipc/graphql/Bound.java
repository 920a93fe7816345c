package dev.ipc.graphql;

import dev.ipc.core.DatingService;
import dev.ipc.core.Metadata;
import dev.ipc.core.PersonService;
import dev.ipc.core.Reference;
import dev.ipc.core.ServiceException;
import dev.ipc.core.TaskService;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.Reply;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.BoundService;
import dev.ipc.core.spi.CallSource;
import java.util.List;
import java.util.function.Consumer;

/**
 * Binds descriptors to implementations without a server, for tests of the engine alone: no context,
 * no authentication, no interceptors (the source is ignored and no response metadata is added).
 */
final class Bound {
  private Bound() {}

  static List<BoundService> reference() {
    return List.of(
        of(DatingService.DESCRIPTOR, Reference.dating()),
        of(TaskService.DESCRIPTOR, Reference.tasks()),
        of(PersonService.DESCRIPTOR, Reference.person()));
  }

  static <S> BoundService of(ServiceDescriptor<S> descriptor, S implementation) {
    List<BoundOperation> ops =
        descriptor.operations().stream().map(op -> operation(op, implementation)).toList();
    return new BoundService() {
      @Override
      public ServiceDescriptor<?> descriptor() {
        return descriptor;
      }

      @Override
      public List<BoundOperation> operations() {
        return ops;
      }
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <S> BoundOperation operation(Operation<S, ?, ?> op, S implementation) {
    return new BoundOperation() {
      @Override
      public Operation<?, ?, ?> operation() {
        return op;
      }

      @Override
      public Reply call(Object request, CallSource source, Consumer<Metadata> responseMetadata) {
        try {
          return ((Operation) op).invoke(implementation, request);
        } catch (Throwable t) {
          throw ServiceException.from(t);
        }
      }
    };
  }
}
