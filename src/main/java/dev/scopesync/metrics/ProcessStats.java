package dev.scopesync.metrics;

import dev.scopesync.bus.StatsFields;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process-level stats fields: open descriptors, heap, resident memory. Blocking (reads /proc).
 */
public final class ProcessStats {
  private ProcessStats() {}

  public static JsonObject read() {
    return new JsonObject()
        .put(StatsFields.OPEN_FDS, openFds())
        .put(
            StatsFields.HEAP_USED_BYTES,
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
        .put(StatsFields.RSS_KB, rssKb());
  }

  /** Entries of /proc/self/fd, or -1 where there is no /proc. */
  public static int openFds() {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return -1;
    }
    int n = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
      for (Path ignored : entries) {
        n++;
      }
    } catch (IOException e) {
      return -1;
    }
    return n - 1; // the stream's own descriptor
  }

  /** VmRSS of /proc/self/status in kB, or -1. */
  public static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
