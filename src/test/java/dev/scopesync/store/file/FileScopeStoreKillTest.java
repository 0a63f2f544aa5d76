package dev.scopesync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scopesync.model.Scope;
import dev.scopesync.store.ScopeStore;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process writing to a file store loses nothing it acknowledged: a child JVM ({@link
 * FileStoreKillChild}) writes from 16 concurrent clients and prints each write once its future
 * succeeded; the test kills it with SIGKILL mid-stream, opens the store itself and finds every
 * acknowledged put and delete, and only whole scope files.
 */
class FileScopeStoreKillTest {
  private static final ScopeParser STORED = ScopeParser.forStoredScopes();
  private static final int CLIENTS = 16;

  @TempDir Path tmp;
  private Vertx vertx;
  private final List<Process> children = new ArrayList<>();

  /**
   * What the children acknowledged: the last acknowledged write of each id, and each client's last
   * write.
   */
  private final Map<String, Boolean> present = new HashMap<>();

  private final Map<String, Integer> lastWrite = new HashMap<>();

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    children.forEach(Process::destroyForcibly);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void killNineLosesNothingAcknowledged() throws Exception {
    Path dir = tmp.resolve("scopes");
    // Twice into one directory: the second child replays what the first left, then is killed too.
    killWhileWriting(dir, 2000);
    killWhileWriting(dir, 2000);
    verify(dir);
  }

  @Test
  void killNineAmongCheckpointsLosesNothingAcknowledged() throws Exception {
    Path dir = tmp.resolve("scopes");
    // 16 KB segments sealed every 20 ms and checkpointed at once: the kill lands among checkpoints.
    killWhileWriting(dir, 3000, "16384", "20", "0");
    killWhileWriting(dir, 3000, "16384", "20", "0");
    verify(dir);
  }

  /**
   * Runs a child until it has acknowledged {@code atLeast} writes, kills it with SIGKILL, records
   * what it acknowledged.
   */
  private void killWhileWriting(Path dir, int atLeast, String... tuning) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                FileStoreKillChild.class.getName(),
                dir.toString(),
                String.valueOf(CLIENTS)));
    command.addAll(List.of(tuning));
    long started = System.nanoTime();
    Process child =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    children.add(child);
    int acks = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      // After the kill, read on to the end: lines already in the pipe were acknowledged too.
      while ((line = out.readLine()) != null) {
        acks += record(line);
        if (acks >= atLeast && child.isAlive()) {
          // SIGKILL (no shutdown hook, no close); through the handle, which leaves our end of the
          // pipe open
          child.toHandle().destroyForcibly();
        }
        if (System.nanoTime() > deadline && child.isAlive()) {
          fail("the child acknowledged only " + acks + " writes in 90 s");
        }
      }
    }
    System.out.printf(
        "child killed after %d acknowledged writes, %.1f s after its start%n",
        acks, (System.nanoTime() - started) / 1e9);
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertEquals(137, child.exitValue(), "killed by SIGKILL");
    assertTrue(acks >= atLeast, "acknowledged writes: " + acks);
  }

  /** {@code ACK <client> <n> PUT|DEL <id>}. */
  private int record(String line) {
    if (line.startsWith("FAILED")) {
      fail("the child's store failed a write: " + line);
    }
    if (!line.startsWith("ACK ")) {
      return 0;
    }
    String[] parts = line.split(" ");
    int n = Integer.parseInt(parts[2]);
    Integer previous = lastWrite.put(parts[1], n);
    assertTrue(
        previous == null ? n == 0 : n == previous + 1,
        "a client's writes are acknowledged in order: " + line);
    present.put(parts[4], parts[3].equals("PUT"));
    return 1;
  }

  private void verify(Path dir) throws Exception {
    // Every scope file the kills left is whole (a .tmp a kill left behind is not one: open removes
    // it).
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
        try {
          STORED.parse(new JsonObject(Files.readString(file)));
        } catch (RuntimeException | IOException e) {
          fail("scope file " + file + " does not parse: " + e);
        }
      }
    }
    // Each client had at most one write in flight when killed, unacknowledged: it may or may not be
    // there.
    Set<String> inFlight = new HashSet<>();
    lastWrite.forEach(
        (client, n) -> {
          int next = n + 1;
          inFlight.add("kill-" + client + "-" + (next % 4 == 3 ? next - 3 : next));
        });
    ScopeStore store = FileScopeStore.open(vertx, dir, STORED).await(60, TimeUnit.SECONDS);
    try {
      int checked = 0;
      for (Map.Entry<String, Boolean> write : present.entrySet()) {
        if (inFlight.contains(write.getKey())) {
          continue;
        }
        Scope scope = store.get(write.getKey()).await();
        if (write.getValue()) {
          assertNotNull(scope, "acknowledged put of " + write.getKey() + " lost");
          assertEquals(FileStoreKillChild.scope(STORED, write.getKey(), n(write.getKey())), scope);
        } else {
          assertNull(scope, "acknowledged delete of " + write.getKey() + " lost");
        }
        checked++;
      }
      assertTrue(checked > 3000, "checked " + checked);
      for (Scope scope : store.all().await()) {
        assertTrue(
            present.containsKey(scope.scopeId()) || inFlight.contains(scope.scopeId()),
            "a scope nobody wrote: " + scope.scopeId());
      }
    } finally {
      store.close().await(60, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> all = files.toList();
      assertEquals(
          List.of(),
          all.stream()
              .map(f -> f.getFileName().toString())
              .filter(n -> !n.endsWith(".json"))
              .toList(),
          "after close the directory holds only scope files");
      for (Path file : all) {
        STORED.parse(new JsonObject(Files.readString(file)));
      }
    }
  }

  private static int n(String scopeId) {
    return Integer.parseInt(scopeId.substring(scopeId.lastIndexOf('-') + 1));
  }
}
