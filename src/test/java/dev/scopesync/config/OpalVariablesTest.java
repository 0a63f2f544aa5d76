package dev.scopesync.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every variable OPAL server defines (its config.py files, listed in {@code
 * src/test/resources/opal/server-variables.txt}) is either read or named as unsupported, with a
 * reason, and the README's migration table names each one: a variable OPAL adds cannot be forgotten
 * silently.
 */
class OpalVariablesTest {
  private static List<String> opalsOwnList() throws IOException {
    try (InputStream in =
        OpalVariablesTest.class.getResourceAsStream("/opal/server-variables.txt")) {
      List<String> names = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          names.add(line.trim());
        }
      }
      return names;
    }
  }

  @Test
  void everyVariableOfOpalsConfigIsReadOrNamedAsUnsupported() throws IOException {
    List<String> forgotten = new ArrayList<>();
    for (String name : opalsOwnList()) {
      OpalVariables.Handling handling = OpalVariables.of(name);
      if (handling == null || handling.what().isBlank()) {
        forgotten.add(name);
      }
    }
    assertTrue(opalsOwnList().size() > 100, "OPAL's list was read");
    assertTrue(forgotten.isEmpty(), "OPAL variables scopesync does not know: " + forgotten);
  }

  @Test
  void theReadmeTableNamesEveryVariable() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    List<String> missing = new ArrayList<>();
    for (OpalVariables.Handling handling : OpalVariables.all().values()) {
      if (!readme.contains("`" + handling.name() + "`")) {
        missing.add(handling.name());
      }
    }
    assertTrue(missing.isEmpty(), "README's migration table lacks " + missing);
  }
}
