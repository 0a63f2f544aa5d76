package dev.scopesync.validation;

import dev.scopesync.config.ServerConfig;
import dev.scopesync.keys.SshPrivateKeys;
import dev.scopesync.model.GitAuth;
import dev.scopesync.model.GitPolicySource;
import dev.scopesync.model.InvalidScopeException;
import dev.scopesync.model.Scope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.Repository;

/**
 * Turns a JSON scope document into a {@link Scope}, or refuses it with an {@link
 * InvalidScopeException} naming the field (DESIGN §5). Unknown fields are ignored, absent optional
 * fields take OPAL's defaults, and every scalar is taken as pydantic v1 takes it for the type OPAL
 * declares ({@code opal_common/schemas/scopes.py}, {@code policy_source.py}, {@code data.py};
 * DESIGN §17): what pydantic coerces is coerced ({@code "poll_updates": "true"} is {@code true},
 * {@code "branch": 5} is {@code "5"}), what it refuses is refused. The coercions are {@link
 * PydanticValues}'; after them come scopesync's own rules (last column), unchanged.
 *
 * <table>
 *   <caption>Fields, OPAL's types, and what is accepted</caption>
 *   <tr><th>field</th><th>OPAL type (default)</th><th>accepted</th><th>then scopesync's rule</th></tr>
 *   <tr><td>{@code scope_id}</td><td>{@code str} (required)</td><td>string; number or boolean as
 *       Python's {@code str()} ({@code 5 → "5"}, {@code 1.0 → "1.0"}, {@code true → "True"})</td>
 *       <td>1–256 characters, no {@code /}, no control characters</td></tr>
 *   <tr><td>{@code policy}</td><td>{@code GitPolicyScopeSource} (required)</td><td>an object</td><td></td></tr>
 *   <tr><td>{@code policy.source_type}</td><td>{@code str} (required)</td><td>as {@code str}; absent
 *       means {@code "git"} (scopesync's leniency)</td><td>must be {@code "git"}</td></tr>
 *   <tr><td>{@code policy.url}</td><td>{@code str} (required)</td><td>as {@code str}</td>
 *       <td>{@link GitUrlPolicy}</td></tr>
 *   <tr><td>{@code policy.branch}</td><td>{@code str} ({@code "main"})</td><td>as {@code str}</td>
 *       <td>a valid git branch name</td></tr>
 *   <tr><td>{@code policy.directories}</td><td>{@code List[str]} ({@code ["."]})</td><td>an array,
 *       each item as {@code str}; not a bare string</td><td>not empty; relative, no {@code ..}</td></tr>
 *   <tr><td>{@code policy.extensions}</td><td>{@code List[str]} ({@code [".rego", ".json"]})</td>
 *       <td>an array, each item as {@code str}</td><td></td></tr>
 *   <tr><td>{@code policy.bundle_ignore}</td><td>{@code Optional[List[str]]} ({@code None})</td>
 *       <td>{@code null}, or an array, each item as {@code str}</td><td></td></tr>
 *   <tr><td>{@code policy.manifest}</td><td>{@code str} ({@code ".manifest"})</td><td>as {@code str}</td>
 *       <td>relative, no {@code ..}</td></tr>
 *   <tr><td>{@code policy.poll_updates}</td><td>{@code bool} ({@code False})</td><td>{@code true}/{@code false},
 *       {@code 0}/{@code 1} (also {@code 0.0}/{@code 1.0}), strings in any case
 *       {@code 1 on t true y yes} / {@code 0 off f false n no}</td><td></td></tr>
 *   <tr><td>{@code policy.auth}</td><td>union discriminated by {@code auth_type} (required)</td>
 *       <td>an object; absent means {@code {"auth_type": "none"}} (scopesync's leniency)</td><td></td></tr>
 *   <tr><td>{@code policy.auth.auth_type}</td><td>{@code Literal} (the discriminator)</td>
 *       <td>exactly {@code none}, {@code github_token}, {@code userpass} or {@code ssh}</td><td></td></tr>
 *   <tr><td>{@code policy.auth.token}</td><td>{@code str} (required)</td><td>as {@code str}</td><td>not empty</td></tr>
 *   <tr><td>{@code policy.auth.username}, {@code .password}</td><td>{@code str} (required)</td>
 *       <td>as {@code str}</td><td></td></tr>
 *   <tr><td>{@code policy.auth.private_key}</td><td>{@code str} (required)</td><td>as {@code str}</td>
 *       <td>a multi-line PEM or OpenSSH private key</td></tr>
 *   <tr><td>{@code policy.auth.public_key}</td><td>{@code Optional[str]} ({@code None})</td>
 *       <td>{@code null} or as {@code str}</td><td></td></tr>
 *   <tr><td>{@code data}</td><td>{@code DataSourceConfig} ({@code {"entries": []}})</td><td>an object
 *       (pydantic also runs {@code dict()} over a non-dict, so it takes {@code []} or {@code ""}
 *       as {@code {}}; scopesync refuses those)</td><td>kept as given</td></tr>
 *   <tr><td>{@code data.entries}</td><td>{@code List[DataSourceEntryWithPollingInterval]} ({@code []})</td>
 *       <td>an array; also {@code null} (pydantic refuses it; kept because the {@code default} scope
 *       made from {@code OPAL_DATA_CONFIG_SOURCES={"config":{}}} carries it); the entries
 *       themselves are not checked here</td><td>kept as given</td></tr>
 * </table>
 *
 * "As {@code str}" is pydantic v1's non-strict {@code str_validator}: a string as it is, an
 * integer, float or boolean as Python's {@code str()} writes it; arrays and objects are refused. A
 * field that is not {@code Optional} refuses an explicit {@code null} even when it has a default
 * (pydantic: "none is not an allowed value"); only an absent field takes the default. Messages
 * start with the field and never contain a secret's value.
 */
public final class ScopeParser {
  public static final int MAX_SCOPE_ID_LENGTH = 256;

  private static final List<String> AUTH_TYPES = List.of("none", "github_token", "userpass", "ssh");

  private final GitUrlPolicy urls;

  public ScopeParser(GitUrlPolicy urls) {
    this.urls = urls;
  }

  /**
   * The parser for scopes read back from a store: every known scheme is accepted, since a stored
   * scope (perhaps written by OPAL, or before git.allowedSchemes changed) must still be readable,
   * and deleting it must still release its clone.
   */
  public static ScopeParser forStoredScopes() {
    return new ScopeParser(new GitUrlPolicy(ServerConfig.KNOWN_SCHEMES));
  }

  public Scope parse(Object document) {
    JsonObject json = object(document, "scope");
    String scopeId = scopeId(requiredString(json, "scope_id", "scope_id"), "scope_id");
    GitPolicySource policy = policy(object(required(json, "policy", "policy"), "policy"));
    JsonObject dataJson =
        json.containsKey("data")
            ? object(notNull(json.getValue("data"), "data"), "data")
            : new JsonObject().put("entries", new JsonArray());
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
    String sourceType =
        optionalString(json, "source_type", "policy.source_type", GitPolicySource.SOURCE_TYPE);
    if (!sourceType.equals(GitPolicySource.SOURCE_TYPE)) {
      throw new InvalidScopeException(
          "policy.source_type", "only 'git' is supported, got '" + sourceType + "'");
    }
    String url = requiredString(json, "url", "policy.url");
    String urlProblem = urls.problemWith(url);
    if (urlProblem != null) {
      throw new InvalidScopeException("policy.url", urlProblem);
    }
    String branch = optionalString(json, "branch", "policy.branch", "main");
    if (branch.isEmpty() || !Repository.isValidRefName("refs/heads/" + branch)) {
      throw new InvalidScopeException(
          "policy.branch", "'" + branch + "' is not a valid git branch name");
    }
    List<String> directories =
        stringList(json, "directories", "policy.directories", List.of("."), false);
    if (directories.isEmpty()) {
      throw new InvalidScopeException("policy.directories", "must list at least one directory");
    }
    for (int i = 0; i < directories.size(); i++) {
      relativePath(directories.get(i), "policy.directories[" + i + "]");
    }
    List<String> extensions =
        stringList(json, "extensions", "policy.extensions", List.of(".rego", ".json"), false);
    String manifest = optionalString(json, "manifest", "policy.manifest", ".manifest");
    relativePath(manifest, "policy.manifest");
    List<String> bundleIgnore =
        stringList(json, "bundle_ignore", "policy.bundle_ignore", null, true);
    boolean pollUpdates = optionalBool(json, "poll_updates", "policy.poll_updates", false);
    GitAuth auth =
        json.containsKey("auth")
            ? auth(object(notNull(json.getValue("auth"), "policy.auth"), "policy.auth"))
            : new GitAuth.None();
    return new GitPolicySource(
        url, branch, directories, extensions, manifest, bundleIgnore, pollUpdates, auth);
  }

  private static GitAuth auth(JsonObject json) {
    String type = authType(required(json, "auth_type", "policy.auth.auth_type"));
    Function<String, String> field = name -> requiredString(json, name, "policy.auth." + name);
    return switch (type) {
      case "none" -> new GitAuth.None();
      case "github_token" ->
          new GitAuth.GithubToken(nonEmpty(field.apply("token"), "policy.auth.token"));
      case "userpass" -> new GitAuth.UserPass(field.apply("username"), field.apply("password"));
      case "ssh" -> {
        String privateKey = field.apply("private_key");
        String keyProblem = SshPrivateKeys.problemWith(privateKey);
        if (keyProblem != null) {
          throw new InvalidScopeException("policy.auth.private_key", keyProblem);
        }
        String publicKey =
            json.getValue("public_key") == null
                ? null
                : optionalString(json, "public_key", "policy.auth.public_key", null);
        yield new GitAuth.Ssh(field.apply("username"), privateKey, publicKey);
      }
      default -> throw new IllegalStateException("unreachable: " + type);
    };
  }

  /**
   * The discriminator: exactly one of the four names, no coercion (pydantic looks it up as a key).
   */
  private static String authType(Object value) {
    if (value instanceof String s && !AUTH_TYPES.contains(s)) {
      throw new InvalidScopeException(
          "policy.auth.auth_type",
          "must be one of " + String.join(", ", AUTH_TYPES) + "; got '" + s + "'");
    }
    try {
      return PydanticValues.literal(value, AUTH_TYPES);
    } catch (PydanticValues.Refused e) {
      throw new InvalidScopeException("policy.auth.auth_type", e.getMessage());
    }
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

  /**
   * An explicit {@code null} where the field is not {@code Optional}: pydantic's "none is not an
   * allowed value".
   */
  private static Object notNull(Object value, String field) {
    if (value == null) {
      throw new InvalidScopeException(field, PydanticValues.NOT_NULL);
    }
    return value;
  }

  /**
   * A required {@code str}: absent is "is required", {@code null} is refused, the rest as
   * pydantic's {@code str_validator}.
   */
  private static String requiredString(JsonObject json, String key, String field) {
    if (!json.containsKey(key)) {
      throw new InvalidScopeException(field, "is required");
    }
    return coerced(() -> PydanticValues.str(json.getValue(key)), field);
  }

  /** A {@code str} with a default: absent takes it, {@code null} is refused. */
  private static String optionalString(JsonObject json, String key, String field, String fallback) {
    return json.containsKey(key)
        ? coerced(() -> PydanticValues.str(json.getValue(key)), field)
        : fallback;
  }

  /**
   * A {@code bool} with a default: absent takes it, {@code null} is refused, the rest as pydantic's
   * {@code bool_validator}.
   */
  private static boolean optionalBool(JsonObject json, String key, String field, boolean fallback) {
    return json.containsKey(key)
        ? coerced(() -> PydanticValues.bool(json.getValue(key)), field)
        : fallback;
  }

  /** A {@code List[str]} with a default ({@code nullable}: {@code Optional[List[str]]}). */
  private static List<String> stringList(
      JsonObject json, String key, String field, List<String> fallback, boolean nullable) {
    if (!json.containsKey(key)) {
      return fallback;
    }
    Object value = json.getValue(key);
    if (value == null && nullable) {
      return null;
    }
    Object list = value instanceof JsonArray array ? array.getList() : value;
    try {
      return PydanticValues.strList(list);
    } catch (PydanticValues.Refused e) {
      throw new InvalidScopeException(
          e.field(field),
          e.item() < 0 && value != null ? "must be a list of strings" : e.getMessage());
    }
  }

  private static <T> T coerced(Supplier<T> coercion, String field) {
    try {
      return coercion.get();
    } catch (PydanticValues.Refused e) {
      throw new InvalidScopeException(field, e.getMessage());
    }
  }

  /** {@code value} as a JSON object, else an invalid-scope error naming {@code field}. */
  public static JsonObject object(Object value, String field) {
    if (!(value instanceof JsonObject json)) {
      throw new InvalidScopeException(field, "must be a JSON object");
    }
    return json;
  }

  private static String nonEmpty(String value, String field) {
    if (value.isEmpty()) {
      throw new InvalidScopeException(field, "must not be empty");
    }
    return value;
  }
}
