package dev.scopesync.bench;

import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.RefSpec;

/**
 * Boot sync: a node starts with N scopes over N repositories (one each) served by a git daemon and
 * clones them all; then it restarts on the same clones, where boot sync fetches instead. Prints the
 * wall time of each until the last sync finished.
 */
public final class BootBench {
  public static void main(String[] args) throws Exception {
    int repos = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Path dir = Files.createTempDirectory("scopesync-bench");
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    try {
      Path template = dir.resolve("template");
      try (Git git = Git.init().setDirectory(template.toFile()).setInitialBranch("main").call()) {
        Files.writeString(template.resolve("p.rego"), "package p\n\ndefault allow = false\n");
        Files.createDirectories(template.resolve("d"));
        Files.writeString(template.resolve("d/data.json"), "{\"x\": 1}");
        git.add().addFilepattern(".").call();
        git.commit()
            .setMessage("init")
            .setAuthor("b", "b@example.com")
            .setCommitter("b", "b@example.com")
            .call();
        for (int r = 0; r < repos; r++) {
          Git.init()
              .setBare(true)
              .setDirectory(remotes.resolve("r" + r + ".git").toFile())
              .call()
              .close();
          git.push()
              .setRemote(remotes.resolve("r" + r + ".git").toUri().toString())
              .setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main"))
              .call();
        }
      }
      JsonArray scopes = new JsonArray();
      try (GitDaemon daemon = GitDaemon.start(remotes)) {
        for (int r = 0; r < repos; r++) {
          scopes.add(TestNode.scope("s" + r, daemon.url("r" + r)));
        }
        System.out.println(
            "| boot sync ("
                + repos
                + " scopes over "
                + repos
                + " git-daemon repositories) | wall time |");
        System.out.println("|---|---|");
        for (String phase :
            new String[] {
              "first start: clone every repository", "restart: fetch every repository"
            }) {
          long t0 = System.nanoTime();
          try (TestNode node = TestNode.start(dir.resolve("node"), c -> c.put("scopes", scopes))) {
            node.synced.await(e -> true, repos, Duration.ofMinutes(5));
            System.out.printf("| %s | %.2f s |%n", phase, (System.nanoTime() - t0) / 1e9);
          }
        }
      }
    } finally {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
