package dev.scopesync.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** A bundle's bytes on the bus: handed over locally as they are, read back whole from the wire. */
class BundleBytesCodecTest {
  private final BundleBytesCodec codec = new BundleBytesCodec();

  @Test
  void aLocalReplyHandsOverTheBundlesOwnBuffer() {
    Buffer bytes = Buffer.buffer("{\"rego\":[]}");
    assertSame(bytes, codec.transform(bytes));
  }

  @Test
  void bytesWrittenAfterOtherFieldsOfAFrameAreReadBackExactly() {
    Buffer bytes =
        Buffer.buffer(new byte[100 * 1024]).setString(0, "start").setString(102395, "end");
    Buffer wire = Buffer.buffer().appendString("headers-before-the-body");
    int pos = wire.length();
    codec.encodeToWire(wire, bytes);
    wire.appendString("trailing");
    assertEquals(bytes, codec.decodeFromWire(pos, wire));
    assertEquals(Buffer.buffer(), roundTrip(Buffer.buffer()));
  }

  @Test
  void registeringTwiceOnOneBusKeepsTheFirstAndFailsNothing() {
    Vertx vertx = Vertx.vertx();
    try {
      BundleBytesCodec.registerOn(vertx.eventBus());
      BundleBytesCodec.registerOn(vertx.eventBus()); // a fetcher redeployed on the same Vert.x
      vertx.eventBus().unregisterCodec(BundleBytesCodec.NAME);
      BundleBytesCodec.registerOn(vertx.eventBus()); // gone, so registered again
    } finally {
      vertx.close().await();
    }
  }

  private Buffer roundTrip(Buffer bytes) {
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, bytes);
    return codec.decodeFromWire(0, wire);
  }
}
