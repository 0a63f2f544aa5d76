package dev.scopesync.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * The codec of a {@link BundleReply}'s bytes. Vert.x's own buffer codec copies a buffer on every
 * local delivery and again when it decodes one from the wire; a bundle's bytes are never written
 * after they are built, so here a local reply hands the same buffer over and a reply from another
 * node is a slice of the frame it arrived in (which is this message's alone). One 100 KB bundle
 * forwarded from an owner is copied twice less.
 */
final class BundleBytesCodec implements MessageCodec<Buffer, Buffer> {
  static final String NAME = "scopesync.bundle-bytes";

  /** Registers the codec on {@code bus} unless it is there already (a redeployed fetcher). */
  static void registerOn(EventBus bus) {
    try {
      bus.registerCodec(new BundleBytesCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // One codec per event bus: the one registered first serves.
    }
  }

  @Override
  public void encodeToWire(Buffer wire, Buffer bytes) {
    wire.appendInt(bytes.length()).appendBuffer(bytes);
  }

  @Override
  public Buffer decodeFromWire(int pos, Buffer wire) {
    int length = wire.getInt(pos);
    return wire.slice(pos + 4, pos + 4 + length);
  }

  @Override
  public Buffer transform(Buffer bytes) {
    return bytes;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
