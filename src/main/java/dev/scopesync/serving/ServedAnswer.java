package dev.scopesync.serving;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * One built bundle as the HTTP edge sends it: the scope actually served (a request for an unknown
 * scope is answered from {@code default}'s slot only through the fetcher), the commit, the ETag
 * (kept as a header value made once) and the bytes. The body is the fetcher's own buffer: Vert.x
 * writes a slice of it, never a copy.
 *
 * @param etagHeader the quoted ETag, as {@link HttpHeaders#createOptimized} made it for writing
 */
public record ServedAnswer(
    String scopeId, String commit, String etag, CharSequence etagHeader, Buffer body) {
  public static ServedAnswer of(String scopeId, String commit, String etag, Buffer body) {
    return new ServedAnswer(scopeId, commit, etag, HttpHeaders.createOptimized(etag), body);
  }
}
