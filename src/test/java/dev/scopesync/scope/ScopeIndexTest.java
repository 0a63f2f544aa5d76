package dev.scopesync.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.scopesync.model.Scope;
import dev.scopesync.model.SourceId;
import dev.scopesync.validation.ScopeParser;
import dev.scopesync.webhook.PushEvent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The indexes answer exactly what a scan of every scope would, from the matching entries only. */
class ScopeIndexTest {
  private final ScopeParser parser = ScopeParser.forStoredScopes();
  private final ScopeIndex index = new ScopeIndex(scope -> SourceId.of(scope.policy(), 1));

  private Scope scope(String id, String url, String branch) {
    return parser.parse(
        new JsonObject()
            .put("scope_id", id)
            .put(
                "policy",
                new JsonObject()
                    .put("url", url)
                    .put("branch", branch)
                    .put("auth", new JsonObject().put("auth_type", "none"))));
  }

  private static PushEvent push(List<String> urls, List<String> names, String branch) {
    return new PushEvent("github", true, "push", urls, names, List.of(branch));
  }

  private static List<String> ids(List<Scope> scopes) {
    return scopes.stream().map(Scope::scopeId).toList();
  }

  @Test
  void sourceIndexFollowsPutsMovesAndRemoves() {
    Scope a = scope("a", "https://github.com/acme/p.git", "main");
    Scope b = scope("b", "https://github.com/acme/p", "main");
    String source = SourceId.of(a.policy(), 1);
    index.put(a);
    index.put(b);
    assertEquals(Set.of("a"), index.idsOfSource(source), "another url string is another source");
    Scope moved = scope("a", "https://github.com/acme/q.git", "main");
    assertSame(a, index.put(moved));
    assertEquals(Set.of(), index.idsOfSource(source), "the moved scope left its old source");
    assertEquals(Set.of("a"), index.idsOfSource(SourceId.of(moved.policy(), 1)));
    assertSame(moved, index.remove("a"));
    assertNull(index.remove("a"));
    assertEquals(1, index.size());
  }

  @Test
  void aPushFindsTheScopesOfItsRepositoryAndBranchOnly() {
    index.put(scope("https", "https://github.com/acme/policies.git", "main"));
    index.put(scope("ssh", "git@github.com:Acme/Policies.git", "main"));
    index.put(scope("dev", "https://github.com/acme/policies", "dev"));
    index.put(scope("elsewhere", "https://git.corp.example/acme/policies.git", "main"));
    index.put(scope("other", "https://github.com/acme/other.git", "main"));
    assertEquals(
        List.of("https", "ssh"),
        ids(
            index.concernedBy(
                push(
                    List.of("https://github.com/acme/policies.git"),
                    List.of("acme/policies"),
                    "main"))));
    assertEquals(
        List.of("dev"),
        ids(
            index.concernedBy(
                push(List.of("https://github.com/acme/policies"), List.of(), "dev"))));
    // A push naming no url: the full name on any host.
    assertEquals(
        List.of("elsewhere", "https", "ssh"),
        ids(index.concernedBy(push(List.of(), List.of("acme/policies"), "main"))));
    assertEquals(
        List.of(),
        ids(index.concernedBy(push(List.of("https://github.com/acme/none"), List.of(), "main"))));
  }

  @Test
  void pagesFollowIdOrderAfterAGivenId() {
    for (String id : List.of("c", "a", "e", "b", "d")) {
      index.put(scope(id, "https://h/" + id, "main"));
    }
    assertEquals(List.of("a", "b"), ids(index.page(null, 2)));
    assertEquals(List.of("c", "d"), ids(index.page("b", 2)));
    assertEquals(List.of("e"), ids(index.page("d", 2)));
    assertEquals(List.of(), ids(index.page("e", 2)));
    assertEquals(
        List.of("c", "d", "e"), ids(index.page("bb", 10)), "after an id that is not there");
  }

  @Test
  void chunksNeverSplitASourceAndHoldEveryScopeOnce() {
    for (int source = 0; source < 10; source++) {
      for (int i = 0; i < 7; i++) {
        index.put(scope("s" + source + "-" + i, "https://h/r" + source, "main"));
      }
    }
    List<List<Scope>> chunks = index.chunksBySource(20, s -> !s.scopeId().endsWith("-6"));
    assertEquals(60, chunks.stream().mapToInt(List::size).sum());
    for (List<Scope> chunk : chunks) {
      long sources = chunk.stream().map(s -> s.policy().url()).distinct().count();
      assertEquals(chunk.size(), sources * 6, "whole sources only: " + ids(chunk));
    }
    assertEquals(60, chunks.stream().flatMap(List::stream).map(Scope::scopeId).distinct().count());
  }
}
