package dev.scopesync.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the effective configuration: built-in defaults, then an OPAL server's {@code OPAL_*}
 * environment ({@link OpalEnvironment}), then the JSON file, then {@code SCOPESYNC_*} environment
 * variables (DESIGN §10, §17). Where the file or a {@code SCOPESYNC_*} variable overrides what an
 * {@code OPAL_*} variable set, one INFO line names both. Runs once at start, before Vert.x exists,
 * so reading the file here blocks nothing.
 */
public final class ConfigLoader {
  private static final String ENV_PREFIX = "SCOPESYNC_";

  private ConfigLoader() {}

  /**
   * @param file the {@code --conf} path, or null to use {@code SCOPESYNC_CONF} or none
   * @param env the process environment
   */
  public static ServerConfig load(Path file, Map<String, String> env) {
    JsonObject merged = ConfigKeys.defaults();
    OpalEnvironment.Overlay opal = OpalEnvironment.read(env);
    merge(merged, opal.settings(), "");
    Path source = file != null ? file : pathFromEnv(env);
    JsonObject fromFile = source == null ? new JsonObject() : readFile(source);
    merge(merged, fromFile, "");
    applyEnv(merged, env);
    List<ConfigNote> notes = new ArrayList<>(opal.notes());
    opal.setBy()
        .forEach(
            (key, variable) -> {
              String section = key.substring(0, key.indexOf('.'));
              String name = key.substring(key.indexOf('.') + 1);
              String envName = envName(section, name);
              if (env.containsKey(envName)) {
                notes.add(ConfigNote.info(envName + " overrides " + variable + " (" + key + ")"));
              } else if (fromFile.getJsonObject(section) != null
                  && fromFile.getJsonObject(section).containsKey(name)) {
                notes.add(ConfigNote.info("config file key '" + key + "' overrides " + variable));
              }
            });
    return ServerConfig.from(merged, notes, opal.ownedScopes());
  }

  private static Path pathFromEnv(Map<String, String> env) {
    String value = env.get(ENV_PREFIX + "CONF");
    return value == null || value.isBlank() ? null : Path.of(value);
  }

  private static JsonObject readFile(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("config file " + file + " is not a JSON object: " + e.getMessage());
    }
  }

  /**
   * Deep-merges {@code overrides} into {@code target}; unknown keys are refused so typos surface.
   */
  private static void merge(JsonObject target, JsonObject overrides, String prefix) {
    for (Map.Entry<String, Object> e : overrides) {
      String key = prefix + e.getKey();
      if (!target.containsKey(e.getKey())) {
        throw new ConfigException("unknown config key '" + key + "'");
      }
      Object current = target.getValue(e.getKey());
      if (current instanceof JsonObject section) {
        if (!(e.getValue() instanceof JsonObject nested)) {
          throw new ConfigException("config key '" + key + "' must be an object");
        }
        merge(section, nested, key + ".");
      } else {
        target.put(e.getKey(), e.getValue());
      }
    }
  }

  private static void applyEnv(JsonObject config, Map<String, String> env) {
    String scopes = env.get(ENV_PREFIX + "SCOPES");
    if (scopes != null) {
      try {
        config.put(ConfigKeys.SCOPES, new JsonArray(scopes));
      } catch (DecodeException e) {
        throw new ConfigException(
            ENV_PREFIX + "SCOPES (scopes) is not a JSON array: " + e.getMessage());
      }
    }
    JsonObject defaults = ConfigKeys.defaults();
    for (String section : defaults.fieldNames()) {
      if (!(defaults.getValue(section) instanceof JsonObject keys)) {
        continue;
      }
      for (String key : keys.fieldNames()) {
        String name = envName(section, key);
        String raw = env.get(name);
        if (raw != null) {
          config
              .getJsonObject(section)
              .put(key, fromEnv(name, section + "." + key, raw, keys.getValue(key)));
        }
      }
    }
  }

  /** {@code git.baseDir} becomes {@code SCOPESYNC_GIT_BASE_DIR}. */
  public static String envName(String section, String key) {
    String snake = key.replaceAll("([a-z0-9])([A-Z])", "$1_$2");
    return (ENV_PREFIX + section + "_" + snake).toUpperCase(Locale.ROOT);
  }

  private static Object fromEnv(String name, String key, String raw, Object defaultValue) {
    String value = raw.trim();
    if (defaultValue instanceof Integer) {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new ConfigException(name + " (" + key + ") must be an integer, got '" + raw + "'");
      }
    }
    if (defaultValue instanceof Boolean) {
      if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
        throw new ConfigException(name + " (" + key + ") must be true or false, got '" + raw + "'");
      }
      return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
    }
    if (defaultValue instanceof JsonArray) {
      JsonArray list = new JsonArray();
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          list.add(item.trim());
        }
      }
      return list;
    }
    return value.isEmpty() ? null : raw;
  }
}
