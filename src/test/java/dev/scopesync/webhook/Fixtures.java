package dev.scopesync.webhook;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Webhook payloads under {@code src/test/resources/webhooks}, written after the providers' docs.
 */
final class Fixtures {
  private Fixtures() {}

  static JsonObject json(String name) {
    return new JsonObject(Buffer.buffer(bytes(name)));
  }

  static byte[] bytes(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/webhooks/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture webhooks/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
