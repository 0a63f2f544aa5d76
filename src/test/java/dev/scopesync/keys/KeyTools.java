package dev.scopesync.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes keys with the real {@code openssl} and {@code ssh-keygen} command-line tools, in one
 * directory, so the tests read what operators' tools write rather than what our own code does.
 */
public final class KeyTools {
  private final Path dir;

  public KeyTools(Path dir) {
    this.dir = dir;
  }

  /** Runs {@code openssl args…} in the directory; its standard output. */
  public String openssl(String... args) {
    return run("openssl", args);
  }

  /** Runs {@code ssh-keygen -q args…} in the directory; its standard output. */
  public String sshKeygen(String... args) {
    String[] quiet = new String[args.length + 1];
    quiet[0] = "-q";
    System.arraycopy(args, 0, quiet, 1, args.length);
    return run("ssh-keygen", quiet);
  }

  /** The text of a file the tools wrote. */
  public String file(String name) {
    try {
      return Files.readString(dir.resolve(name), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new AssertionError("no " + name, e);
    }
  }

  private String run(String tool, String... args) {
    List<String> command = new ArrayList<>(List.of(tool));
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectError(dir.resolve("stderr.txt").toFile())
              .start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish in 60 s");
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(
            command + " exited " + process.exitValue() + ": " + file("stderr.txt"));
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError(command + " could not run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(command + " interrupted", e);
    }
  }
}
