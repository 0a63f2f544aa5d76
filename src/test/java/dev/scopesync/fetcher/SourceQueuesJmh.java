package dev.scopesync.fetcher;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The cost the per-source queue adds to each git job (scripts/bench.sh jmh). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SourceQueuesJmh {
  @Param({"1", "100"})
  public int sources;

  /** A job that is done at once: the queue's own bookkeeping, entry created and removed. */
  @Benchmark
  public int submitCompletedJob() {
    SourceQueues queues = new SourceQueues();
    for (int i = 0; i < 100; i++) {
      queues.submit("s" + (i % sources), () -> Future.succeededFuture());
    }
    return queues.size();
  }

  /** 100 jobs queued behind running ones, then all released: the FIFO hand-over. */
  @Benchmark
  public int queueAndDrain() {
    SourceQueues queues = new SourceQueues();
    List<Promise<Void>> running = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Promise<Void> job = Promise.promise();
      running.add(job);
      queues.submit("s" + (i % sources), job::future);
    }
    running.forEach(Promise::tryComplete);
    return queues.size();
  }
}
