package dev.scopesync.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The JVM series of {@code /metrics} (memory, GC, threads, classes, CPU, uptime): the same binders
 * Vert.x's {@code jvmMetricsEnabled} would register, bound by the node once it is ready rather than
 * while Vert.x is built, because binding them reads every JMX bean and costs tens of milliseconds
 * of start. {@link #close()} removes the GC listeners. Not thread-safe: bound and closed by one
 * owner.
 */
public final class JvmSeries implements AutoCloseable {
  private final JvmGcMetrics gc;
  private final JvmHeapPressureMetrics heapPressure;

  private JvmSeries(JvmGcMetrics gc, JvmHeapPressureMetrics heapPressure) {
    this.gc = gc;
    this.heapPressure = heapPressure;
  }

  /** Registers the JVM series in the registry (blocking: call it on a worker thread). */
  public static JvmSeries bindTo(MeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmCompilationMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    JvmHeapPressureMetrics heapPressure = new JvmHeapPressureMetrics();
    heapPressure.bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return new JvmSeries(gc, heapPressure);
  }

  @Override
  public void close() {
    gc.close();
    heapPressure.close();
  }
}
