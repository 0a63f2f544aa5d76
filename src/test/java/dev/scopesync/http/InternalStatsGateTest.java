package dev.scopesync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.scopesync.testing.TestNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InternalStatsGateTest {
  @TempDir Path dir;

  @Test
  void internalStatsIs404UnlessEnabled() throws Exception {
    try (TestNode node =
        TestNode.start(
            dir,
            c -> {
              c.getJsonObject("debug").put("internalStats", false);
              return c;
            })) {
      assertEquals(404, node.request("GET", "/internal/stats", null).statusCode());
    }
  }
}
