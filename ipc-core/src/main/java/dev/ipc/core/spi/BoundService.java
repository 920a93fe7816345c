package dev.ipc.core.spi;

import dev.ipc.core.model.ServiceDescriptor;
import java.util.List;

/** A service descriptor with the host's implementation behind it. */
public interface BoundService {
  /** Returns the description. */
  ServiceDescriptor<?> descriptor();

  /** Returns its operations, ready to call, in the descriptor's order. */
  List<BoundOperation> operations();
}
