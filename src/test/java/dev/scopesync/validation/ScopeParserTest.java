package dev.scopesync.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.InvalidScopeException;
import dev.scopesync.model.Scope;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

public class ScopeParserTest {
  /** A throwaway ed25519 key made for this test with ssh-keygen. */
  public static final String OPENSSH_KEY =
      "-----BEGIN OPENSSH PRIVATE KEY-----\n"
          + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
          + "QyNTUxOQAAACCEZncB5n8S+CtJf2OS321bDvrB9p3ab8uxnLBJD1oicQAAAIiZ0G67mdBu\n"
          + "uwAAAAtzc2gtZWQyNTUxOQAAACCEZncB5n8S+CtJf2OS321bDvrB9p3ab8uxnLBJD1oicQ\n"
          + "AAAEB8zLx2ZN4r8o3FbZ2TG2fGufCLak2MIGR3v34E4QVaioRmdwHmfxL4K0l/Y5LfbVsO\n"
          + "+sH2ndpvy7GcsEkPWiJxAAAABHRlc3QB\n"
          + "-----END OPENSSH PRIVATE KEY-----\n";

  private final ScopeParser parser =
      new ScopeParser(new GitUrlPolicy(Set.of("https", "http", "ssh", "git")));

  private static JsonObject valid() {
    return new JsonObject(
        """
        {"scope_id": "tenant-a",
         "policy": {"source_type": "git", "url": "https://git.example.com/org/policies.git",
                    "auth": {"auth_type": "none"}}}""");
  }

  @Test
  void absentFieldsTakeOpalsDefaults() {
    Scope scope = parser.parse(valid());
    assertEquals("tenant-a", scope.scopeId());
    assertEquals("main", scope.policy().branch());
    assertEquals(List.of("."), scope.policy().directories());
    assertEquals(List.of(".rego", ".json"), scope.policy().extensions());
    assertEquals(".manifest", scope.policy().manifest());
    assertNull(scope.policy().bundleIgnore());
    assertFalse(scope.policy().pollUpdates());
    assertEquals(new JsonObject().put("entries", List.of()), scope.data());
  }

  @Test
  void publicJsonHasNoSecretsAndStoredJsonKeepsThem() {
    JsonObject doc = valid();
    doc.getJsonObject("policy")
        .put(
            "auth",
            new JsonObject()
                .put("auth_type", "userpass")
                .put("username", "bob")
                .put("password", "hunter2"));
    Scope scope = parser.parse(doc);
    assertFalse(scope.toPublicJson().encode().contains("hunter2"));
    assertEquals(
        "bob",
        scope.toPublicJson().getJsonObject("policy").getJsonObject("auth").getString("username"));
    assertTrue(scope.toStoredJson().encode().contains("hunter2"));
    assertFalse(scope.toString().contains("hunter2"));
    assertEquals(scope, parser.parse(scope.toStoredJson()));
  }

  @Test
  void unknownFieldsAreIgnored() {
    JsonObject doc = valid().put("extra", 1);
    doc.getJsonObject("policy").put("whatever", "x");
    assertEquals("tenant-a", parser.parse(doc).scopeId());
  }

  @Test
  void acceptsAnSshKeyInOpenSshFormat() {
    JsonObject doc = valid();
    doc.getJsonObject("policy")
        .put("url", "git@github.com:org/repo.git")
        .put(
            "auth",
            new JsonObject()
                .put("auth_type", "ssh")
                .put("username", "git")
                .put("private_key", OPENSSH_KEY));
    assertEquals("ssh", parser.parse(doc).policy().auth().type());
  }

  static Stream<Arguments> badDocuments() {
    return Stream.of(
        Arguments.of("scope_id", "{\"policy\":" + policy("https://h/r.git") + "}"),
        Arguments.of(
            "scope_id", "{\"scope_id\":\"\",\"policy\":" + policy("https://h/r.git") + "}"),
        Arguments.of(
            "scope_id", "{\"scope_id\":\"a/b\",\"policy\":" + policy("https://h/r.git") + "}"),
        Arguments.of(
            "scope_id", "{\"scope_id\":\"a\\u0001\",\"policy\":" + policy("https://h/r.git") + "}"),
        Arguments.of(
            "scope_id",
            "{\"scope_id\":\""
                + "x".repeat(257)
                + "\",\"policy\":"
                + policy("https://h/r.git")
                + "}"),
        Arguments.of("scope_id", "{\"scope_id\":[5],\"policy\":" + policy("https://h/r.git") + "}"),
        Arguments.of("policy", "{\"scope_id\":\"a\"}"),
        Arguments.of("policy", "{\"scope_id\":\"a\",\"policy\":[]}"),
        Arguments.of("policy.url", "{\"scope_id\":\"a\",\"policy\":{\"source_type\":\"git\"}}"),
        Arguments.of(
            "policy.url", "{\"scope_id\":\"a\",\"policy\":" + policy("ftp://h/r.git") + "}"),
        Arguments.of(
            "policy.url", "{\"scope_id\":\"a\",\"policy\":" + policy("file:///tmp/r.git") + "}"),
        Arguments.of(
            "policy.url",
            "{\"scope_id\":\"a\",\"policy\":" + policy("ext::sh -c touch% /tmp/pwned") + "}"),
        Arguments.of(
            "policy.url",
            "{\"scope_id\":\"a\",\"policy\":" + policy("https://user:pw@h/r.git") + "}"),
        Arguments.of("policy.url", "{\"scope_id\":\"a\",\"policy\":" + policy("not a url") + "}"),
        Arguments.of("policy.url", "{\"scope_id\":\"a\",\"policy\":{\"url\":7}}"),
        Arguments.of(
            "policy.source_type",
            "{\"scope_id\":\"a\",\"policy\":{\"source_type\":\"svn\",\"url\":\"https://h/r\"}}"),
        Arguments.of(
            "policy.branch",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"branch\":\"a..b\"}}"),
        Arguments.of(
            "policy.branch",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"branch\":\"bad name\"}}"),
        Arguments.of(
            "policy.branch",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"branch\":[\"main\"]}}"),
        Arguments.of(
            "policy.directories[0]",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"directories\":[\"../x\"]}}"),
        Arguments.of(
            "policy.directories[1]",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"directories\":[\".\",\"/etc\"]}}"),
        Arguments.of(
            "policy.directories",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"directories\":\".\"}}"),
        Arguments.of(
            "policy.extensions[0]",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"extensions\":[[1]]}}"),
        Arguments.of(
            "policy.poll_updates",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"poll_updates\":\"maybe\"}}"),
        Arguments.of(
            "policy.manifest",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"manifest\":\"../m\"}}"),
        Arguments.of(
            "policy.auth.auth_type",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"auth\":{\"auth_type\":\"kerberos\"}}}"),
        Arguments.of(
            "policy.auth.token",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"auth\":{\"auth_type\":\"github_token\"}}}"),
        Arguments.of(
            "policy.auth.password",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\",\"auth\":{\"auth_type\":\"userpass\",\"username\":\"u\"}}}"),
        Arguments.of(
            "policy.auth.private_key",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"git@h:r.git\",\"auth\":{\"auth_type\":\"ssh\",\"username\":\"git\",\"private_key\":\"oneline\"}}}"),
        Arguments.of(
            "policy.auth.private_key",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"git@h:r.git\",\"auth\":{\"auth_type\":\"ssh\",\"username\":\"git\",\"private_key\":\"-----BEGIN RSA PRIVATE KEY-----\\nnot base64 !!\\n-----END RSA PRIVATE KEY-----\\n\"}}}"),
        Arguments.of(
            "data", "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\"},\"data\":[]}"),
        Arguments.of(
            "data.entries",
            "{\"scope_id\":\"a\",\"policy\":{\"url\":\"https://h/r\"},\"data\":{\"entries\":{}}}"));
  }

  private static String policy(String url) {
    return new JsonObject().put("source_type", "git").put("url", url).encode();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badDocuments")
  void refusesBadDocumentsNamingTheField(String field, String document) {
    InvalidScopeException e =
        assertThrows(InvalidScopeException.class, () -> parser.parse(new JsonObject(document)));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
  }

  @Test
  void secretsNeverAppearInValidationMessages() {
    JsonObject doc = valid();
    doc.getJsonObject("policy")
        .put(
            "auth",
            new JsonObject()
                .put("auth_type", "ssh")
                .put("username", "git")
                .put(
                    "private_key",
                    "-----BEGIN RSA PRIVATE KEY-----\nTOPSECRET!!\n-----END RSA PRIVATE KEY-----\n"));
    InvalidScopeException e = assertThrows(InvalidScopeException.class, () -> parser.parse(doc));
    assertFalse(e.getMessage().contains("TOPSECRET"), e.getMessage());
  }

  @Test
  void fileUrlsOnlyWhenListed() {
    ScopeParser withFile = new ScopeParser(new GitUrlPolicy(Set.of("file")));
    JsonObject doc = valid();
    doc.getJsonObject("policy").put("url", "file:///srv/repo.git");
    assertEquals("file:///srv/repo.git", withFile.parse(doc).policy().url());
    doc.getJsonObject("policy").put("url", "/srv/repo.git");
    assertEquals("/srv/repo.git", withFile.parse(doc).policy().url());
  }
}
