package dev.scopesync.git.transport;

import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JGit's once-per-process set-up, done on a short-lived background thread while the node starts
 * rather than inside the first clones: it detects the file system, learns where git's system config
 * lives (by running {@code git} twice) and reads the system and user configs. Done inside the first
 * clones, this work held up the whole first wave of a boot sync (DESIGN §14). Harmless to repeat:
 * JGit caches all of it.
 */
public final class JGitWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(JGitWarmUp.class);

  private JGitWarmUp() {}

  /** Starts the warm-up thread; it ends by itself within a fraction of a second. */
  public static void start() {
    Thread thread = new Thread(JGitWarmUp::run, "scopesync-jgit-warmup");
    thread.setDaemon(true);
    thread.start();
  }

  private static void run() {
    try {
      FS.DETECTED.getGitSystemConfig();
      SystemReader reader = SystemReader.getInstance();
      reader.getSystemConfig();
      reader.getUserConfig();
    } catch (Exception e) {
      // The first clone meets the same problem and reports it where it matters.
      LOG.debug("JGit warm-up: {}", e.toString());
    }
  }
}
