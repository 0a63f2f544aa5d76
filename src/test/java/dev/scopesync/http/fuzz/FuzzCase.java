package dev.scopesync.http.fuzz;

import java.util.List;
import java.util.Set;

/**
 * One generated case: the bytes sent on one connection and what the grammar knows about them.
 *
 * @param seed the run's seed
 * @param index the case's index: {@code (seed, index)} regenerates exactly these bytes
 * @param shape the connection shape (single, pipelined, http10, truncated, junk, oversized)
 * @param tags the features the grammar chose (host:missing, ct:multipart-broken, te:chunked-bad, …)
 * @param bytes everything written, in one go
 * @param methods the method token of each request, in order, as the grammar wrote it (a response to
 *     {@code HEAD} has no body); {@code ?} after a request whose framing is off, where the server's
 *     request boundaries are not the grammar's
 * @param halfClose whether the framing is incomplete or broken, so the output is shut after writing
 *     (the server sees the end of the stream instead of waiting for the rest until its timeout)
 * @param untilClose whether the last request asks the server to close (Connection: close, HTTP/1.0
 *     without keep-alive, or a half-close): then responses are read until the server closes;
 *     otherwise until one response per request has arrived
 */
public record FuzzCase(
    long seed,
    int index,
    String shape,
    Set<String> tags,
    byte[] bytes,
    List<String> methods,
    boolean halfClose,
    boolean untilClose) {

  public int requests() {
    return methods.size();
  }

  /** The replay hint and the exact bytes, for a failure message. */
  public String describe() {
    return "seed="
        + seed
        + " case="
        + index
        + " shape="
        + shape
        + " tags="
        + tags
        + " halfClose="
        + halfClose
        + " (replay: -Dfuzz.seed="
        + seed
        + " -Dfuzz.only="
        + index
        + ")\n  request ("
        + bytes.length
        + " bytes): "
        + Escaped.of(bytes);
  }
}
