package dev.scopesync.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link OpalEnvironment.Overlay} while the readers of OPAL's variables fill it: scopesync keys
 * with the variable each came from, and the notes to log. The order of writes is the order the
 * overlay keeps (and so the order of the override notes {@link ConfigLoader} adds). Not
 * thread-safe: one start, one thread.
 */
final class OverlayDraft {
  private final OpalValues env;
  private final JsonObject settings = new JsonObject();
  private final Map<String, String> setBy = new LinkedHashMap<>();
  private final List<ConfigNote> notes = new ArrayList<>();

  OverlayDraft(OpalValues env) {
    this.env = env;
  }

  /** The environment the overlay is read from. */
  OpalValues env() {
    return env;
  }

  /** Sets the dotted {@code key} to the variable's value as text, when it is set. */
  void copy(String name, String key) {
    String raw = env.value(name);
    if (raw != null) {
      put(key, raw, name);
    }
  }

  /** Sets the dotted {@code key} to the variable's value as an integer, when it is set. */
  void putInteger(String name, String key) {
    Integer v = env.integer(name);
    if (v != null) {
      put(key, v, name);
    }
  }

  /** Sets the dotted {@code key} ({@code section.name}) and records {@code from} as what set it. */
  void put(String key, Object value, String from) {
    int dot = key.indexOf('.');
    JsonObject section = settings.getJsonObject(key.substring(0, dot));
    if (section == null) {
      section = new JsonObject();
      settings.put(key.substring(0, dot), section);
    }
    section.put(key.substring(dot + 1), value);
    setBy.put(key, from);
  }

  void note(ConfigNote note) {
    notes.add(note);
  }

  OpalEnvironment.Overlay toOverlay(JsonArray ownedScopes) {
    return new OpalEnvironment.Overlay(settings, setBy, notes, ownedScopes);
  }
}
