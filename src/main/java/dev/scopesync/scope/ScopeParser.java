package dev.scopesync.scope;

import dev.scopesync.config.ServerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jgit.lib.Repository;

/**
 * Turns a JSON scope document into a {@link Scope}, or refuses it with an
 * {@link InvalidScopeException} naming the field (DESIGN §5). Unknown fields are ignored,
 * wrong types are refused, absent optional fields take OPAL's defaults.
 */
public final class ScopeParser {
  public static final int MAX_SCOPE_ID_LENGTH = 256;

  private final GitUrlPolicy urls;

  public ScopeParser(GitUrlPolicy urls) {
    this.urls = urls;
  }

  /**
   * The parser for scopes read back from a store: every known scheme is accepted, since a
   * stored scope (perhaps written by OPAL, or before git.allowedSchemes changed) must still
   * be readable, and deleting it must still release its clone.
   */
  public static ScopeParser forStoredScopes() {
    return new ScopeParser(new GitUrlPolicy(ServerConfig.KNOWN_SCHEMES));
  }

  public Scope parse(Object document) {
    JsonObject json = object(document, "scope");
    String scopeId = scopeId(json.getValue("scope_id"), "scope_id");
    GitPolicySource policy = policy(object(required(json, "policy", "policy"), "policy"));
    Object data = json.getValue("data");
    JsonObject dataJson = data == null ? new JsonObject().put("entries", new JsonArray()) : object(data, "data");
    Object entries = dataJson.getValue("entries");
    if (entries != null && !(entries instanceof JsonArray)) {
      throw new InvalidScopeException("data.entries", "must be a list");
    }
    return new Scope(scopeId, policy, dataJson);
  }

  /** Validates a scope id given on its own (a route parameter or a bus request). */
  public static String scopeId(Object value, String field) {
    if (!(value instanceof String id)) {
      throw new InvalidScopeException(field, value == null ? "is required" : "must be a string");
    }
    if (id.isEmpty() || id.length() > MAX_SCOPE_ID_LENGTH) {
      throw new InvalidScopeException(field, "must be 1 to " + MAX_SCOPE_ID_LENGTH + " characters");
    }
    if (id.indexOf('/') >= 0) {
      throw new InvalidScopeException(field, "must not contain '/'");
    }
    if (id.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidScopeException(field, "must not contain control characters");
    }
    return id;
  }

  private GitPolicySource policy(JsonObject json) {
    String sourceType = optional(json, "source_type", "policy.source_type", String.class, GitPolicySource.SOURCE_TYPE);
    if (!sourceType.equals(GitPolicySource.SOURCE_TYPE)) {
      throw new InvalidScopeException("policy.source_type", "only 'git' is supported, got '" + sourceType + "'");
    }
    String url = string(required(json, "url", "policy.url"), "policy.url");
    String urlProblem = urls.problemWith(url);
    if (urlProblem != null) {
      throw new InvalidScopeException("policy.url", urlProblem);
    }
    String branch = optional(json, "branch", "policy.branch", String.class, "main");
    if (branch.isEmpty() || !Repository.isValidRefName("refs/heads/" + branch)) {
      throw new InvalidScopeException("policy.branch", "'" + branch + "' is not a valid git branch name");
    }
    List<String> directories = stringList(json, "directories", "policy.directories", List.of("."));
    if (directories.isEmpty()) {
      throw new InvalidScopeException("policy.directories", "must list at least one directory");
    }
    for (int i = 0; i < directories.size(); i++) {
      relativePath(directories.get(i), "policy.directories[" + i + "]");
    }
    List<String> extensions = stringList(json, "extensions", "policy.extensions", List.of(".rego", ".json"));
    String manifest = optional(json, "manifest", "policy.manifest", String.class, ".manifest");
    relativePath(manifest, "policy.manifest");
    List<String> bundleIgnore = json.getValue("bundle_ignore") == null
        ? null
        : stringList(json, "bundle_ignore", "policy.bundle_ignore", null);
    boolean pollUpdates = optional(json, "poll_updates", "policy.poll_updates", Boolean.class, false);
    Object authValue = json.getValue("auth");
    GitAuth auth = authValue == null ? new GitAuth.None() : auth(object(authValue, "policy.auth"));
    return new GitPolicySource(url, branch, directories, extensions, manifest, bundleIgnore, pollUpdates, auth);
  }

  private static GitAuth auth(JsonObject json) {
    String type = string(required(json, "auth_type", "policy.auth.auth_type"), "policy.auth.auth_type");
    Function<String, String> field = name -> string(required(json, name, "policy.auth." + name), "policy.auth." + name);
    return switch (type) {
      case "none" -> new GitAuth.None();
      case "github_token" -> new GitAuth.GithubToken(nonEmpty(field.apply("token"), "policy.auth.token"));
      case "userpass" -> new GitAuth.UserPass(field.apply("username"), field.apply("password"));
      case "ssh" -> {
        String privateKey = field.apply("private_key");
        String keyProblem = PrivateKeyCheck.problemWith(privateKey);
        if (keyProblem != null) {
          throw new InvalidScopeException("policy.auth.private_key", keyProblem);
        }
        String publicKey = optional(json, "public_key", "policy.auth.public_key", String.class, null);
        yield new GitAuth.Ssh(field.apply("username"), privateKey, publicKey);
      }
      default -> throw new InvalidScopeException("policy.auth.auth_type",
          "must be one of none, github_token, userpass, ssh; got '" + type + "'");
    };
  }

  private static void relativePath(String path, String field) {
    if (path.isEmpty()) {
      throw new InvalidScopeException(field, "must not be empty");
    }
    if (path.startsWith("/") || path.startsWith("\\") || path.matches("^[A-Za-z]:.*")) {
      throw new InvalidScopeException(field, "must be a relative path");
    }
    for (String part : path.split("[/\\\\]")) {
      if (part.equals("..")) {
        throw new InvalidScopeException(field, "must not contain '..'");
      }
    }
    if (path.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidScopeException(field, "must not contain control characters");
    }
  }

  private static Object required(JsonObject json, String key, String field) {
    Object value = json.getValue(key);
    if (value == null) {
      throw new InvalidScopeException(field, "is required");
    }
    return value;
  }

  private static <T> T optional(JsonObject json, String key, String field, Class<T> type, T fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (!type.isInstance(value)) {
      throw new InvalidScopeException(field, "must be a " + typeName(type));
    }
    return type.cast(value);
  }

  private static List<String> stringList(JsonObject json, String key, String field, List<String> fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof JsonArray array)) {
      throw new InvalidScopeException(field, "must be a list of strings");
    }
    List<String> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String s)) {
        throw new InvalidScopeException(field + "[" + i + "]", "must be a string");
      }
      out.add(s);
    }
    return out;
  }

  private static JsonObject object(Object value, String field) {
    if (!(value instanceof JsonObject json)) {
      throw new InvalidScopeException(field, "must be a JSON object");
    }
    return json;
  }

  private static String string(Object value, String field) {
    if (!(value instanceof String s)) {
      throw new InvalidScopeException(field, "must be a string");
    }
    return s;
  }

  private static String nonEmpty(String value, String field) {
    if (value.isEmpty()) {
      throw new InvalidScopeException(field, "must not be empty");
    }
    return value;
  }

  private static String typeName(Class<?> type) {
    return type == Boolean.class ? "boolean" : type.getSimpleName().toLowerCase();
  }
}
