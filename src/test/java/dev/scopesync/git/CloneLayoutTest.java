package dev.scopesync.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clone is a plain git repository in OPAL's layout that the git CLI reads, made with as few files
 * as that takes (DESIGN §14: each new file costs on a busy file system).
 */
class CloneLayoutTest {
  @TempDir Path dir;

  @Test
  void firstSyncLeavesAPlainGitCloneWithoutReflogsOrTemplates() throws Exception {
    String commit;
    String url;
    try (GitRemote remote = GitRemote.create(dir.resolve("remotes"), "policies")) {
      commit =
          remote.commit("init", Map.of("rbac/rbac.rego", "package rbac\n", "rbac/data.json", "{}"));
      remote.commit("feature", "on a branch", Map.of("f.rego", "package f\n"));
      url = remote.fileUrl();
    }
    try (TestNode node = TestNode.start(dir.resolve("node"))) {
      assertEquals(201, node.put(TestNode.scope("tenant-a", url)).statusCode());
      node.synced.await(e -> "tenant-a".equals(e.getString("scope_id")), 1, Duration.ofMinutes(1));

      Path clone = onlyClone(node.config.gitSourcesDir());
      Path git = clone.resolve(".git");
      assertEquals(
          "ref: refs/heads/main\n", Files.readString(git.resolve("HEAD"), StandardCharsets.UTF_8));
      for (String absent :
          List.of(
              "logs",
              "hooks",
              "branches",
              "description",
              "objects/info",
              "refs/tags",
              "FETCH_HEAD",
              "refs/remotes",
              "refs/heads")) {
        assertFalse(Files.exists(git.resolve(absent)), absent + " is not made");
      }
      // The first fetch writes the remote branches and the scope's ref as one packed-refs file, no
      // .keep.
      assertTrue(
          Files.readString(git.resolve("packed-refs"))
              .contains(commit + " refs/remotes/origin/main\n"));
      try (var pack = Files.list(git.resolve("objects/pack"))) {
        assertEquals(List.of(), pack.filter(f -> f.toString().endsWith(".keep")).toList());
      }
      gitCli(clone, "fsck", "--no-dangling"); // git itself finds the clone whole
      assertEquals(commit, gitCli(clone, "rev-parse", "refs/remotes/origin/main"));
      assertEquals(commit, gitCli(clone, "rev-parse", "refs/heads/scopes/tenant-a"));
      assertEquals(url, gitCli(clone, "config", "--get", "remote.origin.url"));
      assertEquals("false", gitCli(clone, "config", "--get", "gc.autoDetach"));
      assertEquals("false", gitCli(clone, "config", "--get", "core.logAllRefUpdates"));
      assertTrue(
          gitCli(clone, "branch", "-r").contains("origin/feature"), "every branch is fetched");
      try (Repository repo =
          new FileRepositoryBuilder().setGitDir(git.toFile()).setMustExist(true).build()) {
        assertFalse(repo.isBare());
        assertEquals(commit, repo.exactRef("refs/remotes/origin/main").getObjectId().name());
      }
      assertEquals(200, node.request("GET", "/scopes/tenant-a/policy", null).statusCode());
    }
  }

  @Test
  void anEmptyCloneOpensInJGitAndInGit() throws Exception {
    Path git = dir.resolve("scratch/.git");
    try (Repository repo = CloneSource.initClone(git, "git://127.0.0.1:1/x.git", "release/1.x")) {
      assertEquals("refs/heads/release/1.x", repo.getFullBranch());
      assertEquals(
          "git://127.0.0.1:1/x.git", repo.getConfig().getString("remote", "origin", "url"));
      assertEquals(
          "+refs/heads/*:refs/remotes/origin/*",
          repo.getConfig().getString("remote", "origin", "fetch"));
    }
    assertEquals("refs/heads/release/1.x", gitCli(git.getParent(), "symbolic-ref", "HEAD"));
    try (Stream<Path> made = Files.walk(git)) {
      assertEquals(
          List.of(
              ".git", ".git/HEAD", ".git/config", ".git/objects", ".git/objects/pack", ".git/refs"),
          made.map(p -> dir.resolve("scratch").relativize(p).toString()).sorted().toList());
    }
  }

  private static Path onlyClone(Path gitSources) throws IOException {
    try (Stream<Path> dirs = Files.list(gitSources)) {
      List<Path> clones = dirs.filter(Files::isDirectory).toList();
      assertEquals(1, clones.size(), "one clone: " + clones);
      return clones.get(0);
    }
  }

  private static String gitCli(Path workTree, String... args)
      throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", workTree.toString()));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, git.waitFor(), String.join(" ", command) + ": " + out);
    return out;
  }
}
