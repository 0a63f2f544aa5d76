package dev.scopesync.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JDK's own programs, for benchmarks that start a server in a JVM of its own and inspect it.
 */
final class JdkTools {
  private JdkTools() {}

  /** The {@code java} running this process (so the server runs on the same JVM as the bench). */
  static String java() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** {@code jcmd} of this JDK, else beside {@link #java()}, else from the PATH. */
  static String jcmd() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (Files.isExecutable(jcmd)) {
      return jcmd.toString();
    }
    Path besideJava = Path.of(java()).resolveSibling("jcmd");
    return Files.isExecutable(besideJava) ? besideJava.toString() : "jcmd";
  }
}
