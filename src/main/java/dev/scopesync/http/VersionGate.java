package dev.scopesync.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;

/**
 * Marks a request line of any version but HTTP/1.0 and HTTP/1.1 as undecodable, right after Netty's
 * decoder, so it reaches {@code invalidRequestHandler} as the client error it is (400 with a JSON
 * detail) instead of Vert.x's hard-coded 501. Stateless and sharable.
 */
@ChannelHandler.Sharable
final class VersionGate extends ChannelInboundHandlerAdapter {
  static final VersionGate INSTANCE = new VersionGate();

  private VersionGate() {}

  /**
   * Installs the gate on a new HTTP/1.x connection (Vert.x's internal pipeline: its decoder is
   * "httpDecoder").
   */
  static void install(HttpConnection connection) {
    if (connection instanceof io.vertx.core.net.impl.ConnectionBase base
        && base.channel().pipeline().get("httpDecoder") != null
        && base.channel().pipeline().get("scopesync-version") == null) {
      base.channel().pipeline().addAfter("httpDecoder", "scopesync-version", INSTANCE);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request
        && request.decoderResult().isSuccess()
        // Identity, as Vert.x compares: "http/1.1" equals HTTP_1_1 to Netty but is no version to
        // Vert.x.
        && request.protocolVersion() != HttpVersion.HTTP_1_1
        && request.protocolVersion() != HttpVersion.HTTP_1_0) {
      request.setDecoderResult(
          DecoderResult.failure(
              new DecoderException(
                  "HTTP version not supported: "
                      + request.protocolVersion().text()
                      + " (HTTP/1.0 and HTTP/1.1 only)")));
    }
    ctx.fireChannelRead(msg);
  }
}
