package dev.scopesync.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * An OPAL server's environment read as scopesync configuration (DESIGN §17): the {@code OPAL_*}
 * variables {@link OpalVariables} lists as supported become scopesync keys (the layer between the
 * built-in defaults and the {@code --conf} file), the {@code OPAL_POLICY_REPO_*} ones the {@code
 * default} scope, and every other {@code OPAL_*} variable present is named in one WARN. The
 * variables are read by {@link OpalServerVariables}, {@link OpalPolicyRepoVariables} and {@link
 * OpalAuthVariables}, their values as {@link OpalValues} parses them.
 *
 * <p>What cannot be read stops the start with the variable named ({@link ConfigException}): a
 * malformed JSON or rate, a boolean or number that is neither, an auth key format scopesync cannot
 * read (dropping it would leave the server open). Runs once, before Vert.x exists.
 */
public final class OpalEnvironment {
  static final String PREFIX = "OPAL_";

  /**
   * The result.
   *
   * @param settings scopesync keys in the nested shape of {@link ConfigKeys#defaults()}
   * @param setBy for each dotted key in {@code settings}, the OPAL variable it came from
   * @param notes lines to log at start
   * @param ownedScopes scopes the configuration owns: put at every start when they differ
   */
  public record Overlay(
      JsonObject settings,
      Map<String, String> setBy,
      List<ConfigNote> notes,
      JsonArray ownedScopes) {}

  private OpalEnvironment() {}

  /**
   * Reads {@code env}'s {@code OPAL_*} variables; an environment without any gives an empty
   * overlay.
   */
  public static Overlay read(Map<String, String> env) {
    OverlayDraft draft = new OverlayDraft(new OpalValues(env));
    boolean anyOpal = env.keySet().stream().anyMatch(k -> k.startsWith(PREFIX));
    if (!anyOpal) {
      return draft.toOverlay(new JsonArray());
    }
    // This order is the order of the overlay's keys and notes, and of which error stops first.
    OpalServerVariables.readAddressAndStore(draft);
    OpalPolicyRepoVariables.readFetching(draft);
    OpalAuthVariables.read(draft);
    OpalServerVariables.readEdge(draft);
    JsonObject dataSources = OpalPolicyRepoVariables.readDataSources(draft);
    JsonArray owned = OpalPolicyRepoVariables.readDefaultScope(draft, dataSources);
    nameUnsupported(draft);
    return draft.toOverlay(owned);
  }

  /** One WARN naming every OPAL_* variable present that scopesync does not read. */
  private static void nameUnsupported(OverlayDraft draft) {
    TreeSet<String> unsupported = new TreeSet<>();
    for (String name : draft.env().names()) {
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      OpalVariables.Handling handling = OpalVariables.of(name);
      if (handling == null || !handling.supported()) {
        unsupported.add(name);
      }
    }
    if (!unsupported.isEmpty()) {
      draft.note(
          ConfigNote.warn(
              "not supported, ignored: "
                  + String.join(", ", unsupported)
                  + " (the README's \"Migrating from OPAL\" says why for each)"));
    }
  }
}
