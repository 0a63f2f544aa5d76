package dev.scopesync.bundle;

import dev.scopesync.testing.GitRemote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Full and diff bundle builds over a repository of N rego files (scripts/bench.sh jmh). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class BundleMakerJmh {
  @Param({"100", "1000"})
  public int files;

  private Path dir;
  private Repository repo;
  private BundleMaker maker;
  private ObjectId base;
  private ObjectId head;

  @Setup(Level.Trial)
  public void makeRepository() throws Exception {
    dir = Files.createTempDirectory("bundle-jmh");
    Map<String, String> content = new HashMap<>();
    for (int i = 0; i < files; i++) {
      content.put(
          "d" + (i / 50) + "/p" + i + ".rego",
          "package d" + (i / 50) + ".p" + i + "\nallow = true\n");
    }
    try (GitRemote remote = GitRemote.create(dir, "r")) {
      base = ObjectId.fromString(remote.commit("many", content));
      head =
          ObjectId.fromString(
              remote.commit("one", Map.of("d0/p1.rego", "package d0.p1\nallow = false\n")));
    }
    repo =
        new FileRepositoryBuilder()
            .setGitDir(dir.resolve("r.git").toFile())
            .setMustExist(true)
            .build();
    maker = new BundleMaker(repo, BundleFilter.defaults());
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    repo.close();
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public byte[] fullBundleJson() throws Exception {
    return maker.full(head).toJson();
  }

  @Benchmark
  public byte[] diffBundleJson() throws Exception {
    return maker.diff(base, head).toJson();
  }

  @Benchmark
  public byte[] opaTarGz() throws Exception {
    return OpaBundleWriter.write(maker.full(head));
  }
}
