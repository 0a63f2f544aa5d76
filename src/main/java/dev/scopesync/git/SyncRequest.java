package dev.scopesync.git;

import dev.scopesync.model.GitPolicySource;
import java.time.Instant;

/**
 * One scope's sync, as the fetcher runs it.
 *
 * @param requestedAt when the request reached the server; a forced fetch is skipped when the source
 *     was fetched after it (OPAL's rule), may be null
 * @param hintedHash a commit the caller knows exists upstream, or null
 */
public record SyncRequest(
    String scopeId,
    String sourceId,
    GitPolicySource source,
    boolean forceFetch,
    String hintedHash,
    Instant requestedAt) {}
