package dev.ipc.examples.bench;

import dev.ipc.core.Client;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.micrometer.IpcMetrics;
import dev.ipc.opentelemetry.IpcTracing;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * What observing costs: {@code task.get} through each protocol's client against three servers in
 * one run, a plain one, one with metrics ({@link IpcMetrics}, Prometheus registry) and tracing
 * ({@link IpcTracing}) with the sampler off, and one with the sampler always on (spans batched to
 * an exporter that only counts them). Rounds alternate so drift hits all alike; it prints each
 * round's ratio to plain and the mean with its 95% interval.
 *
 * <p>Run: {@code bench/observed.sh [seconds-per-case] [concurrency]}.
 */
public final class ObservedBenchmark {
  private static final List<String> PROTOCOLS = List.of("grpc", "rest", "graphql", "socketio");
  private static final int ROUNDS = 5;

  private ObservedBenchmark() {}

  /** Counts exported spans, so the always-on case does the SDK's full work and nothing more. */
  private static final class CountingExporter implements SpanExporter {
    final AtomicLong spans = new AtomicLong();

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAndGet(batch.size());
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  private static OpenTelemetrySdk sdk(Sampler sampler, SpanExporter exporter) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .setSampler(sampler)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build())
        .build();
  }

  private static Server serve(OpenTelemetrySdk otel) {
    Transports.Builder b = Transports.builder().services(Reference.services());
    if (otel != null) {
      b.interceptor(IpcMetrics.of(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
      b.interceptor(IpcTracing.of(otel));
    }
    for (String p : PROTOCOLS) {
      b.transport(p + "://127.0.0.1:0");
    }
    return b.start();
  }

  /** Runs {@code args[0]} seconds per case (default 2) at {@code args[1]} threads (default 16). */
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    CountingExporter exported = new CountingExporter();
    try (OpenTelemetrySdk off = sdk(Sampler.alwaysOff(), new CountingExporter());
        OpenTelemetrySdk on = sdk(Sampler.alwaysOn(), exported);
        Server plain = serve(null);
        Server observedOff = serve(off);
        Server observedOn = serve(on)) {
      System.out.printf(
          "task.get, %d threads, %.1f s per case, %d rounds, %d cores%n",
          threads, seconds, ROUNDS, Runtime.getRuntime().availableProcessors());
      System.out.printf(
          "%-9s %-22s %-44s %s%n",
          "protocol", "case", "rounds (ratio to plain)", "mean [95% interval]");
      for (String p : PROTOCOLS) {
        try (Client a = Transports.connect(p + "://127.0.0.1:" + plain.port(p));
            Client b = Transports.connect(p + "://127.0.0.1:" + observedOff.port(p));
            Client c = Transports.connect(p + "://127.0.0.1:" + observedOn.port(p))) {
          IntConsumer getPlain = get(a);
          IntConsumer getOff = get(b);
          IntConsumer getOn = get(c);
          for (IntConsumer warm : List.of(getPlain, getOff, getOn)) {
            rate(warm, seconds, threads);
          }
          double[] offRatios = new double[ROUNDS];
          double[] onRatios = new double[ROUNDS];
          for (int r = 0; r < ROUNDS; r++) {
            double base = rate(getPlain, seconds, threads);
            offRatios[r] = rate(getOff, seconds, threads) / base;
            onRatios[r] = rate(getOn, seconds, threads) / base;
          }
          print(p, "metrics+tracing, off", offRatios);
          print(p, "metrics+tracing, on", onRatios);
        }
      }
      on.getSdkTracerProvider().forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
      System.out.printf("spans exported with the sampler on: %d%n", exported.spans.get());
    }
  }

  private static IntConsumer get(Client client) {
    TaskService tasks = client.service(TaskService.class);
    return i -> tasks.get(1 + (i % 3));
  }

  private static void print(String protocol, String what, double[] ratios) {
    double mean = Arrays.stream(ratios).average().orElse(0);
    double sd =
        Math.sqrt(
            Arrays.stream(ratios).map(x -> (x - mean) * (x - mean)).sum() / (ratios.length - 1));
    // Student's t for 4 degrees of freedom, 95% two-sided.
    double half = 2.776 * sd / Math.sqrt(ratios.length);
    StringBuilder rounds = new StringBuilder();
    for (double x : ratios) {
      rounds.append(String.format("%.3f ", x));
    }
    System.out.printf(
        "%-9s %-22s %-44s %.3f [%.3f, %.3f]%n",
        protocol, what, rounds.toString().trim(), mean, mean - half, mean + half);
  }

  /** Calls per second of {@code call} from {@code threads} threads for {@code seconds}. */
  private static double rate(IntConsumer call, double seconds, int threads)
      throws InterruptedException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    AtomicLong calls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(threads);
    long start = System.nanoTime();
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t * 1_000_000;
      Thread th =
          new Thread(
              () -> {
                int n = 0;
                try {
                  while (System.nanoTime() < end) {
                    try {
                      call.accept(offset + n++);
                      calls.incrementAndGet();
                    } catch (RuntimeException e) {
                      errors.incrementAndGet();
                    }
                  }
                } finally {
                  done.countDown();
                }
              });
      th.setDaemon(true);
      th.start();
      started.add(th);
    }
    done.await();
    if (errors.get() > 0) {
      System.out.println("  (" + errors.get() + " calls failed)");
    }
    return calls.get() / ((System.nanoTime() - start) / 1e9);
  }
}
