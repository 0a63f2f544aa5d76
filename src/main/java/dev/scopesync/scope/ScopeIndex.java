package dev.scopesync.scope;

import dev.scopesync.model.Scope;
import dev.scopesync.webhook.PushEvent;
import dev.scopesync.webhook.RepositoryMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Every scope this node knows, by id (sorted, for paging), with the indexes that keep each request
 * independent of how many scopes there are (DESIGN §13): source id → scope ids (the fetcher's "is
 * this source still used?"), repository key ({@code host/path}, lower case) → scope ids, and
 * repository path ({@code owner/name}) → scope ids (webhooks). Answers cost O(log n) or O(matching
 * scopes).
 *
 * <p>Not thread-safe: owned by the scope verticle's event loop.
 */
final class ScopeIndex {
  private final NavigableMap<String, Scope> byId = new TreeMap<>();
  private final Map<String, Set<String>> bySource = new HashMap<>();
  private final Map<String, Set<String>> byRepository = new HashMap<>();
  private final Map<String, Set<String>> byPath = new HashMap<>();
  private final Function<Scope, String> sourceIdOf;

  /**
   * @param sourceIdOf a scope's source id (it depends on {@code git.cloneShards})
   */
  ScopeIndex(Function<Scope, String> sourceIdOf) {
    this.sourceIdOf = sourceIdOf;
  }

  Scope get(String scopeId) {
    return byId.get(scopeId);
  }

  int size() {
    return byId.size();
  }

  /** Adds or replaces a scope; answers the one it replaced, or null. */
  Scope put(Scope scope) {
    Scope previous = byId.put(scope.scopeId(), scope);
    if (previous != null) {
      unindex(previous);
    }
    index(scope);
    return previous;
  }

  /** Removes a scope; answers it, or null when it was not here. */
  Scope remove(String scopeId) {
    Scope removed = byId.remove(scopeId);
    if (removed != null) {
      unindex(removed);
    }
    return removed;
  }

  /** The ids of the scopes whose source is {@code sourceId}. */
  Set<String> idsOfSource(String sourceId) {
    return Set.copyOf(bySource.getOrDefault(sourceId, Set.of()));
  }

  /** Scopes whose repository a push names and whose branch it pushed, sorted by id. */
  List<Scope> concernedBy(PushEvent event) {
    Set<String> ids = new LinkedHashSet<>();
    for (String key : RepositoryMatcher.keysOf(event)) {
      ids.addAll(byRepository.getOrDefault(key, Set.of()));
    }
    if (!RepositoryMatcher.hasUrls(event)) {
      for (String path : RepositoryMatcher.fullNamePaths(event)) {
        ids.addAll(byPath.getOrDefault(path, Set.of()));
      }
    }
    List<Scope> concerned = new ArrayList<>();
    for (String id : new TreeSet<>(ids)) {
      Scope scope = byId.get(id);
      if (scope != null && event.concernsBranch(scope.policy().branch())) {
        concerned.add(scope);
      }
    }
    return concerned;
  }

  /**
   * Up to {@code limit} scopes with ids after {@code after} (null: from the first), in id order.
   */
  List<Scope> page(String after, int limit) {
    Collection<Scope> tail = after == null ? byId.values() : byId.tailMap(after, false).values();
    List<Scope> page = new ArrayList<>(Math.min(limit, byId.size()));
    for (Scope scope : tail) {
      if (page.size() >= limit) {
        break;
      }
      page.add(scope);
    }
    return page;
  }

  /**
   * Every scope, grouped by source and cut into chunks of about {@code chunkSize} scopes without
   * ever splitting a source: each chunk can be synced as a batch of its own (one forced fetch per
   * source) without building one message for every scope.
   */
  List<List<Scope>> chunksBySource(int chunkSize, Predicate<Scope> which) {
    List<List<Scope>> chunks = new ArrayList<>();
    List<Scope> chunk = new ArrayList<>();
    for (Set<String> ids : bySource.values()) {
      for (String id : ids) {
        Scope scope = byId.get(id);
        if (scope != null && which.test(scope)) {
          chunk.add(scope);
        }
      }
      if (chunk.size() >= chunkSize) {
        chunks.add(chunk);
        chunk = new ArrayList<>();
      }
    }
    if (!chunk.isEmpty()) {
      chunks.add(chunk);
    }
    return chunks;
  }

  /** A snapshot of every scope id (reconciling with a shared store). */
  Set<String> ids() {
    return new HashSet<>(byId.keySet());
  }

  private void index(Scope scope) {
    add(bySource, sourceIdOf.apply(scope), scope.scopeId());
    RepositoryMatcher.keyOf(scope.policy().url())
        .ifPresent(key -> add(byRepository, key, scope.scopeId()));
    RepositoryMatcher.pathOf(scope.policy().url())
        .ifPresent(path -> add(byPath, path, scope.scopeId()));
  }

  private void unindex(Scope scope) {
    drop(bySource, sourceIdOf.apply(scope), scope.scopeId());
    RepositoryMatcher.keyOf(scope.policy().url())
        .ifPresent(key -> drop(byRepository, key, scope.scopeId()));
    RepositoryMatcher.pathOf(scope.policy().url())
        .ifPresent(path -> drop(byPath, path, scope.scopeId()));
  }

  private static void add(Map<String, Set<String>> index, String key, String id) {
    index.computeIfAbsent(key, k -> new HashSet<>(2)).add(id);
  }

  private static void drop(Map<String, Set<String>> index, String key, String id) {
    Set<String> ids = index.get(key);
    if (ids != null && ids.remove(id) && ids.isEmpty()) {
      index.remove(key);
    }
  }
}
