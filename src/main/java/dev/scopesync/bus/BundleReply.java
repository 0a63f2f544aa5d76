package dev.scopesync.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

/**
 * The fetcher's answer to a {@link BundleQuery}. It travels as the bundle's bytes with the rest in
 * message headers, the bytes in {@link BundleBytesCodec}, so the local bus hands the buffer over
 * without copying it and another node's reply is not copied again when decoded; this record is the
 * one place that writes and reads those headers.
 *
 * @param status 200 with a body, or 304 without one
 * @param scopeId the scope actually served ({@code default} for an unknown one)
 */
public record BundleReply(
    int status, String etag, String scopeId, String commit, String contentType, Buffer body) {
  private static final String STATUS = "status";
  private static final String ETAG = "etag";
  private static final String SCOPE_ID = "scope_id";
  private static final String COMMIT = "commit";
  private static final String CONTENT_TYPE = "content_type";

  /** Answers {@code message} with this reply. */
  public void replyTo(Message<?> message) {
    message.reply(
        body == null ? Buffer.buffer() : body,
        new DeliveryOptions()
            .setCodecName(BundleBytesCodec.NAME)
            .addHeader(STATUS, String.valueOf(status))
            .addHeader(ETAG, etag)
            .addHeader(SCOPE_ID, scopeId)
            .addHeader(COMMIT, commit)
            .addHeader(CONTENT_TYPE, contentType));
  }

  public static BundleReply of(Message<Buffer> message) {
    String status = message.headers().get(STATUS);
    return new BundleReply(
        status == null ? 200 : Integer.parseInt(status),
        message.headers().get(ETAG),
        message.headers().get(SCOPE_ID),
        message.headers().get(COMMIT),
        message.headers().get(CONTENT_TYPE),
        message.body());
  }
}
