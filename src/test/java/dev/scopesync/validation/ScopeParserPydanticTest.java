package dev.scopesync.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.GitAuth;
import dev.scopesync.model.InvalidScopeException;
import dev.scopesync.model.Scope;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scope scalars as OPAL's pydantic v1 models take them (DESIGN §17). Every row's document is valid
 * for OPAL's {@code Scope} but for the one field it changes, and every expectation is what pydantic
 * 1.10.26 answers for the same document with OPAL's schema (accepted: the value of {@code
 * scope.json()} at that path; refused: the error's location).
 */
class ScopeParserPydanticTest {
  private static final String SSH_KEY =
      new JsonObject()
          .put("k", ScopeParserTest.OPENSSH_KEY)
          .encode()
          .replaceFirst("^\\{\"k\":", "")
          .replaceFirst("}$", "");

  private final ScopeParser parser =
      new ScopeParser(new GitUrlPolicy(Set.of("https", "http", "ssh", "git")));

  /** OPAL's base: every required field present ({@code source_type}, {@code url}, {@code auth}). */
  private static JsonObject base() {
    return new JsonObject(
        """
        {"scope_id": "a",
         "policy": {"source_type": "git", "url": "https://h/r", "auth": {"auth_type": "none"}}}""");
  }

  /** The base with {@code fields} (JSON members) set in {@code policy}. */
  static String policyWith(String fields) {
    JsonObject doc = base();
    doc.getJsonObject("policy").mergeIn(new JsonObject("{" + fields + "}"));
    return doc.encode();
  }

  /** The base with {@code fields} set at the top level. */
  static String scopeWith(String fields) {
    return base().mergeIn(new JsonObject("{" + fields + "}")).encode();
  }

  static String sshWith(String fields) {
    return policyWith(
        "\"auth\": {\"auth_type\": \"ssh\", \"username\": \"git\", \"private_key\": "
            + SSH_KEY
            + (fields.isEmpty() ? "" : ", " + fields)
            + "}");
  }

  static Stream<Arguments> coercions() {
    return Stream.of(
        Arguments.of(
            "the string \"true\" for poll_updates is true (OPAL's own example sends it)",
            policyWith("\"poll_updates\": \"true\""),
            "policy.poll_updates",
            true),
        Arguments.of(
            "the string \"True\" for poll_updates is true",
            policyWith("\"poll_updates\": \"True\""),
            "policy.poll_updates",
            true),
        Arguments.of(
            "the string \"YES\" for poll_updates is true",
            policyWith("\"poll_updates\": \"YES\""),
            "policy.poll_updates",
            true),
        Arguments.of(
            "the string \"on\" for poll_updates is true",
            policyWith("\"poll_updates\": \"on\""),
            "policy.poll_updates",
            true),
        Arguments.of(
            "the string \"y\" for poll_updates is true",
            policyWith("\"poll_updates\": \"y\""),
            "policy.poll_updates",
            true),
        Arguments.of(
            "the string \"t\" for poll_updates is true",
            policyWith("\"poll_updates\": \"t\""),
            "policy.poll_updates",
            true),
        Arguments.of(
            "the string \"1\" for poll_updates is true",
            policyWith("\"poll_updates\": \"1\""),
            "policy.poll_updates",
            true),
        Arguments.of(
            "the integer 1 for poll_updates is true",
            policyWith("\"poll_updates\": 1"),
            "policy.poll_updates",
            true),
        Arguments.of(
            "the float 1.0 for poll_updates is true",
            policyWith("\"poll_updates\": 1.0"),
            "policy.poll_updates",
            true),
        Arguments.of(
            "the string \"false\" for poll_updates is false",
            policyWith("\"poll_updates\": \"false\""),
            "policy.poll_updates",
            false),
        Arguments.of(
            "the string \"Off\" for poll_updates is false",
            policyWith("\"poll_updates\": \"Off\""),
            "policy.poll_updates",
            false),
        Arguments.of(
            "the string \"no\" for poll_updates is false",
            policyWith("\"poll_updates\": \"no\""),
            "policy.poll_updates",
            false),
        Arguments.of(
            "the string \"n\" for poll_updates is false",
            policyWith("\"poll_updates\": \"n\""),
            "policy.poll_updates",
            false),
        Arguments.of(
            "the string \"f\" for poll_updates is false",
            policyWith("\"poll_updates\": \"f\""),
            "policy.poll_updates",
            false),
        Arguments.of(
            "the string \"0\" for poll_updates is false",
            policyWith("\"poll_updates\": \"0\""),
            "policy.poll_updates",
            false),
        Arguments.of(
            "the integer 0 for poll_updates is false",
            policyWith("\"poll_updates\": 0"),
            "policy.poll_updates",
            false),
        Arguments.of(
            "the number 5 for scope_id is \"5\"", scopeWith("\"scope_id\": 5"), "scope_id", "5"),
        Arguments.of(
            "the float 1.0 for scope_id is \"1.0\"",
            scopeWith("\"scope_id\": 1.0"),
            "scope_id",
            "1.0"),
        Arguments.of(
            "the float 1e16 for scope_id is \"1e+16\"",
            scopeWith("\"scope_id\": 1e16"),
            "scope_id",
            "1e+16"),
        Arguments.of(
            "true for scope_id is \"True\"", scopeWith("\"scope_id\": true"), "scope_id", "True"),
        Arguments.of(
            "the number 5 for branch is \"5\"", policyWith("\"branch\": 5"), "policy.branch", "5"),
        Arguments.of(
            "the float 1.5 for branch is \"1.5\"",
            policyWith("\"branch\": 1.5"),
            "policy.branch",
            "1.5"),
        Arguments.of(
            "true for branch is \"True\"", policyWith("\"branch\": true"), "policy.branch", "True"),
        Arguments.of(
            "the number 7 for manifest is \"7\"",
            policyWith("\"manifest\": 7"),
            "policy.manifest",
            "7"),
        Arguments.of(
            "false for manifest is \"False\"",
            policyWith("\"manifest\": false"),
            "policy.manifest",
            "False"),
        Arguments.of(
            "numbers in directories become their text",
            policyWith("\"directories\": [1, 2.5]"),
            "policy.directories",
            new io.vertx.core.json.JsonArray().add("1").add("2.5")),
        Arguments.of(
            "numbers and booleans in extensions become their text",
            policyWith("\"extensions\": [1, 2.5, false]"),
            "policy.extensions",
            new io.vertx.core.json.JsonArray().add("1").add("2.5").add("False")),
        Arguments.of(
            "an empty extensions list is kept",
            policyWith("\"extensions\": []"),
            "policy.extensions",
            new io.vertx.core.json.JsonArray()),
        Arguments.of(
            "a number in bundle_ignore becomes its text",
            policyWith("\"bundle_ignore\": [3]"),
            "policy.bundle_ignore",
            new io.vertx.core.json.JsonArray().add("3")),
        Arguments.of(
            "null for bundle_ignore is null: it is Optional",
            policyWith("\"bundle_ignore\": null"),
            "policy.bundle_ignore",
            null),
        Arguments.of(
            "a number for a userpass username is its text",
            policyWith(
                "\"auth\": {\"auth_type\": \"userpass\", \"username\": 7, \"password\": \"p\"}"),
            "policy.auth.username",
            "7"),
        Arguments.of(
            "a float for a userpass password is its text",
            policyWith(
                "\"auth\": {\"auth_type\": \"userpass\", \"username\": \"u\", \"password\": 1.5}"),
            "policy.auth.password",
            "1.5"),
        Arguments.of(
            "a number for a github token is its text",
            policyWith("\"auth\": {\"auth_type\": \"github_token\", \"token\": 12345}"),
            "policy.auth.token",
            "12345"),
        Arguments.of(
            "a number for an ssh username is its text",
            policyWith(
                "\"auth\": {\"auth_type\": \"ssh\", \"username\": 1, \"private_key\": "
                    + SSH_KEY
                    + "}"),
            "policy.auth.username",
            "1"),
        Arguments.of(
            "a number for an ssh public_key is its text",
            sshWith("\"public_key\": 5"),
            "policy.auth.public_key",
            "5"),
        Arguments.of(
            "null for an ssh public_key is null: it is Optional",
            sshWith("\"public_key\": null"),
            "policy.auth.public_key",
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("coercions")
  void takesWhatPydanticTakes(String sentence, String document, String path, Object expected) {
    Scope scope = parser.parse(new JsonObject(document));
    assertEquals(expected, at(scope.toStoredJson(), path));
    assertEquals(scope, parser.parse(scope.toStoredJson()), "the stored form reads back the same");
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(
            "the integer 2 for poll_updates is refused",
            "policy.poll_updates",
            policyWith("\"poll_updates\": 2")),
        Arguments.of(
            "the integer -1 for poll_updates is refused",
            "policy.poll_updates",
            policyWith("\"poll_updates\": -1")),
        Arguments.of(
            "the float 0.5 for poll_updates is refused",
            "policy.poll_updates",
            policyWith("\"poll_updates\": 0.5")),
        Arguments.of(
            "the string \"maybe\" for poll_updates is refused",
            "policy.poll_updates",
            policyWith("\"poll_updates\": \"maybe\"")),
        Arguments.of(
            "the string \" yes\" for poll_updates is refused: nothing is trimmed",
            "policy.poll_updates",
            policyWith("\"poll_updates\": \" yes\"")),
        Arguments.of(
            "the empty string for poll_updates is refused",
            "policy.poll_updates",
            policyWith("\"poll_updates\": \"\"")),
        Arguments.of(
            "null for poll_updates is refused: it is not Optional",
            "policy.poll_updates",
            policyWith("\"poll_updates\": null")),
        Arguments.of(
            "a list for poll_updates is refused",
            "policy.poll_updates",
            policyWith("\"poll_updates\": [true]")),
        Arguments.of(
            "an object for poll_updates is refused",
            "policy.poll_updates",
            policyWith("\"poll_updates\": {}")),
        Arguments.of("null for scope_id is refused", "scope_id", scopeWith("\"scope_id\": null")),
        Arguments.of(
            "a list for scope_id is refused", "scope_id", scopeWith("\"scope_id\": [\"a\"]")),
        Arguments.of(
            "an object for scope_id is refused", "scope_id", scopeWith("\"scope_id\": {}")),
        Arguments.of(
            "null for source_type is refused",
            "policy.source_type",
            policyWith("\"source_type\": null")),
        Arguments.of(
            "a list for source_type is refused",
            "policy.source_type",
            policyWith("\"source_type\": [\"git\"]")),
        Arguments.of("null for url is refused", "policy.url", policyWith("\"url\": null")),
        Arguments.of(
            "a list for url is refused", "policy.url", policyWith("\"url\": [\"https://h/r\"]")),
        Arguments.of(
            "null for branch is refused: it is not Optional",
            "policy.branch",
            policyWith("\"branch\": null")),
        Arguments.of(
            "an object for branch is refused", "policy.branch", policyWith("\"branch\": {}")),
        Arguments.of(
            "null for manifest is refused: it is not Optional",
            "policy.manifest",
            policyWith("\"manifest\": null")),
        Arguments.of(
            "a list for manifest is refused",
            "policy.manifest",
            policyWith("\"manifest\": [\".manifest\"]")),
        Arguments.of(
            "null for directories is refused: it is not Optional",
            "policy.directories",
            policyWith("\"directories\": null")),
        Arguments.of(
            "a bare string for directories is refused",
            "policy.directories",
            policyWith("\"directories\": \".\"")),
        Arguments.of(
            "an object for directories is refused",
            "policy.directories",
            policyWith("\"directories\": {}")),
        Arguments.of(
            "a null directory is refused by its index",
            "policy.directories[0]",
            policyWith("\"directories\": [null]")),
        Arguments.of(
            "a nested list in directories is refused by its index",
            "policy.directories[1]",
            policyWith("\"directories\": [\".\", [\"x\"]]")),
        Arguments.of(
            "null for extensions is refused: it is not Optional",
            "policy.extensions",
            policyWith("\"extensions\": null")),
        Arguments.of(
            "a bare string for extensions is refused",
            "policy.extensions",
            policyWith("\"extensions\": \".rego\"")),
        Arguments.of(
            "a null extension is refused by its index",
            "policy.extensions[0]",
            policyWith("\"extensions\": [null]")),
        Arguments.of(
            "a bare string for bundle_ignore is refused",
            "policy.bundle_ignore",
            policyWith("\"bundle_ignore\": \"x/**\"")),
        Arguments.of(
            "an object in bundle_ignore is refused by its index",
            "policy.bundle_ignore[0]",
            policyWith("\"bundle_ignore\": [{}]")),
        Arguments.of("null for auth is refused", "policy.auth", policyWith("\"auth\": null")),
        Arguments.of(
            "a string for auth is refused", "policy.auth", policyWith("\"auth\": \"none\"")),
        Arguments.of(
            "a number for auth_type is refused, not coerced",
            "policy.auth.auth_type",
            policyWith("\"auth\": {\"auth_type\": 5}")),
        Arguments.of(
            "true for auth_type is refused",
            "policy.auth.auth_type",
            policyWith("\"auth\": {\"auth_type\": true}")),
        Arguments.of(
            "auth_type in another case is refused",
            "policy.auth.auth_type",
            policyWith("\"auth\": {\"auth_type\": \"NONE\"}")),
        Arguments.of(
            "null for auth_type is refused",
            "policy.auth.auth_type",
            policyWith("\"auth\": {\"auth_type\": null}")),
        Arguments.of(
            "null for a github token is refused",
            "policy.auth.token",
            policyWith("\"auth\": {\"auth_type\": \"github_token\", \"token\": null}")),
        Arguments.of(
            "a list for a github token is refused",
            "policy.auth.token",
            policyWith("\"auth\": {\"auth_type\": \"github_token\", \"token\": [\"t\"]}")),
        Arguments.of(
            "null for a userpass username is refused",
            "policy.auth.username",
            policyWith(
                "\"auth\": {\"auth_type\": \"userpass\", \"username\": null, \"password\": \"p\"}")),
        Arguments.of(
            "an object for a userpass password is refused",
            "policy.auth.password",
            policyWith(
                "\"auth\": {\"auth_type\": \"userpass\", \"username\": \"u\", \"password\": {}}")),
        Arguments.of(
            "a list for an ssh private_key is refused",
            "policy.auth.private_key",
            policyWith(
                "\"auth\": {\"auth_type\": \"ssh\", \"username\": \"git\", \"private_key\": []}")),
        Arguments.of(
            "a list for an ssh public_key is refused",
            "policy.auth.public_key",
            sshWith("\"public_key\": []")),
        Arguments.of(
            "null for data is refused: it is not Optional", "data", scopeWith("\"data\": null")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusesWhatPydanticRefusesNamingTheField(String sentence, String field, String document) {
    InvalidScopeException e =
        assertThrows(InvalidScopeException.class, () -> parser.parse(new JsonObject(document)));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
  }

  static Stream<Arguments> secrets() {
    return Stream.of(
        Arguments.of(
            "a github token given as a list",
            "policy.auth.token",
            policyWith(
                "\"auth\": {\"auth_type\": \"github_token\", \"token\": [\"s3cr3t-token\"]}")),
        Arguments.of(
            "a password given as an object",
            "policy.auth.password",
            policyWith(
                "\"auth\": {\"auth_type\": \"userpass\", \"username\": \"u\", \"password\": {\"p\": \"s3cr3t-token\"}}")),
        Arguments.of(
            "a private key given as a list",
            "policy.auth.private_key",
            policyWith(
                "\"auth\": {\"auth_type\": \"ssh\", \"username\": \"git\", \"private_key\": [\"s3cr3t-token\"]}")),
        Arguments.of(
            "a private key given as a number",
            "policy.auth.private_key",
            policyWith(
                "\"auth\": {\"auth_type\": \"ssh\", \"username\": \"git\", \"private_key\": 123456789}")));
  }

  @ParameterizedTest(name = "{0} is refused without showing it")
  @MethodSource("secrets")
  void refusedSecretsAreNeverEchoed(String sentence, String field, String document) {
    InvalidScopeException e =
        assertThrows(InvalidScopeException.class, () -> parser.parse(new JsonObject(document)));
    assertEquals(field, e.field(), e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t-token"), e.getMessage());
    assertFalse(e.getMessage().contains("123456789"), e.getMessage());
  }

  /**
   * {@code docker/run-example-with-scopes.sh} in permitio/opal (d30e462), its first PUT, byte for
   * byte.
   */
  private static final String RUN_EXAMPLE_MYSCOPE =
      """
      {
        "scope_id": "myscope",
        "policy": {
          "source_type": "git",
          "url": "https://github.com/permitio/opal-example-policy-repo",
          "auth": {
            "auth_type": "none"
          },
          "extensions": [
            ".rego",
            ".json"
          ],
          "manifest": ".manifest",
          "poll_updates": "true",
          "branch": "master"
        },
        "data": {
          "entries": []
        }
      }""";

  /** The same script's second PUT: the same but for the id and a real boolean. */
  private static final String RUN_EXAMPLE_HERSCOPE =
      RUN_EXAMPLE_MYSCOPE
          .replace("\"myscope\"", "\"herscope\"")
          .replace("\"poll_updates\": \"true\"", "\"poll_updates\": true");

  /**
   * What OPAL stores for the first PUT ({@code Scope.parse_obj(body).json()} under pydantic
   * 1.10.26).
   */
  private static final String OPAL_STORES_FOR_MYSCOPE =
      """
      {"scope_id": "myscope",
       "policy": {"source_type": "git", "url": "https://github.com/permitio/opal-example-policy-repo",
                  "auth": {"auth_type": "none"}, "directories": ["."], "extensions": [".rego", ".json"],
                  "bundle_ignore": null, "manifest": ".manifest", "poll_updates": true, "branch": "master"},
       "data": {"entries": []}}""";

  @Test
  void opalsRunExampleWithScopesBodyParsesToThePollingScopeOpalStores() {
    Scope scope = parser.parse(new JsonObject(RUN_EXAMPLE_MYSCOPE));
    assertEquals(new JsonObject(OPAL_STORES_FOR_MYSCOPE), scope.toStoredJson());
    assertEquals("myscope", scope.scopeId());
    assertTrue(scope.policy().pollUpdates());
    assertEquals("master", scope.policy().branch());
    assertEquals(new GitAuth.None(), scope.policy().auth());
  }

  @Test
  void opalsRunExampleSecondBodyWithARealBooleanParsesToTheSameScopeButItsId() {
    Scope mine = parser.parse(new JsonObject(RUN_EXAMPLE_MYSCOPE));
    Scope hers = parser.parse(new JsonObject(RUN_EXAMPLE_HERSCOPE));
    assertEquals("herscope", hers.scopeId());
    assertEquals(mine.policy(), hers.policy());
    assertEquals(mine.data(), hers.data());
  }

  private static Object at(JsonObject json, String path) {
    Object value = json;
    for (String key : path.split("\\.")) {
      value = ((JsonObject) value).getValue(key);
    }
    return value;
  }
}
