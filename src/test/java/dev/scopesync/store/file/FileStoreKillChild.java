package dev.scopesync.store.file;

import dev.scopesync.model.Scope;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link FileScopeStoreKillTest} kills: opens a file store and writes to it from
 * several concurrent clients until killed, printing {@code ACK <client> <n> PUT <id>} or {@code ACK
 * <client> <n> DEL <id>} on stdout once the client's n-th write has succeeded (and {@code READY}
 * once the store is open). A client has one write in flight at a time; its every 4th write deletes
 * the scope it put 3 writes earlier.
 *
 * <p>Arguments: directory, clients, then optionally segmentBytes sealMillis checkpointDelayMillis
 * (to have checkpoints running when the kill comes).
 */
public final class FileStoreKillChild {
  private FileStoreKillChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int clients = Integer.parseInt(args[1]);
    FileScopeStore.Tuning defaults = FileScopeStore.Tuning.DEFAULT;
    FileScopeStore.Tuning tuning =
        args.length < 5
            ? defaults
            : new FileScopeStore.Tuning(
                Long.parseLong(args[2]),
                Long.parseLong(args[3]),
                Long.parseLong(args[4]),
                defaults.maxWaitingSegments(),
                defaults.maxBacklog());
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    Vertx vertx = Vertx.vertx();
    ScopeParser parser = ScopeParser.forStoredScopes();
    FileScopeStore store =
        FileScopeStore.open(vertx, dir, parser, tuning).await(60, TimeUnit.SECONDS);
    String run = Long.toString(ProcessHandle.current().pid());
    out.println("READY");
    for (int c = 0; c < clients; c++) {
      String client = run + "-" + c;
      vertx.runOnContext(go -> write(store, parser, out, client, 0));
    }
    Thread.sleep(Long.MAX_VALUE);
  }

  private static void write(
      FileScopeStore store, ScopeParser parser, PrintStream out, String client, int n) {
    if (n % 4 == 3) {
      String id = "kill-" + client + "-" + (n - 3);
      store
          .delete(id)
          .onSuccess(
              removed -> {
                out.println("ACK " + client + " " + n + " DEL " + id);
                write(store, parser, out, client, n + 1);
              })
          .onFailure(e -> out.println("FAILED DEL " + id + " " + e));
    } else {
      String id = "kill-" + client + "-" + n;
      store
          .put(scope(parser, id, n))
          .onSuccess(
              replaced -> {
                out.println("ACK " + client + " " + n + " PUT " + id);
                write(store, parser, out, client, n + 1);
              })
          .onFailure(e -> out.println("FAILED PUT " + id + " " + e));
    }
  }

  static Scope scope(ScopeParser parser, String scopeId, int n) {
    return parser.parse(
        new JsonObject()
            .put("scope_id", scopeId)
            .put(
                "policy",
                new JsonObject()
                    .put("source_type", "git")
                    .put("url", "https://git.example.com/org/repo-" + n + ".git")
                    .put("branch", "main")
                    .put(
                        "auth",
                        new JsonObject().put("auth_type", "github_token").put("token", "ghp_" + n)))
            .put("data", new JsonObject().put("n", n)));
  }
}
