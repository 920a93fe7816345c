package dev.ipc.core.testing;

import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import java.util.concurrent.CountDownLatch;

/**
 * A dating service whose {@code eating} holds the call until released, for tests of calls in flight
 * (draining on close, timeouts, saturation); {@code watchMovie} answers at once.
 */
public final class HeldDating {
  private HeldDating() {}

  /**
   * Returns a service whose {@code eating} counts {@code entered} down, waits for {@code release},
   * then feels good; {@code release} should be counted down when the test ends.
   */
  public static DatingService of(CountDownLatch entered, CountDownLatch release) {
    return new DatingService() {
      @Override
      public Feel eating(Eat eat) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new Feel(true);
      }

      @Override
      public Feel watchMovie(Movie movie) {
        return new Feel(true);
      }
    };
  }
}
