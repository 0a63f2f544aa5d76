package dev.scopesync.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.config.ConfigException;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Served OPA bundles carry {@code /.signatures.json} as OPA verifies it: checked here with plain
 * JDK crypto and the key {@code GET /bundles/signing-key} answers, file by file.
 */
class SignedBundleServingTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<byte[]> get(TestNode node, String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.server.httpPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static Map<String, byte[]> untar(byte[] tgz) throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tgz)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        files.put(entry.getName(), tar.readAllBytes());
      }
    }
    return files;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static String segment(String base64url) {
    return new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "RS256, RSA, SHA256withRSA",
    "PS384, RSA, RSASSA-PSS",
    "ES256, P-256, SHA256withECDSAinP1363Format",
    "ES512, P-521, SHA512withECDSAinP1363Format"
  })
  void everyServedBundleIsSignedAsOpaVerifiesIt(
      String algorithm, String keyType, String jdkAlgorithm) throws Exception {
    KeyPair keys = keyType.equals("RSA") ? TestKeys.rsa(2048) : TestKeys.ec(keyType);
    try (GitRemote remote =
        GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "policies")) {
      String commit =
          remote.commit(
              "init",
              Map.of(
                  "rbac/main.rego", "package app.rbac\n\ndefault allow = false\n",
                  "rbac/data.json", "{\"roles\": {\"b\": [2, 1], \"a\": null}}",
                  "README.md", "not in the bundle"));
      try (TestNode node =
          TestNode.start(
              dir.resolve("node"),
              c -> {
                c.getJsonObject("bundles")
                    .put("signingKey", TestKeys.pkcs8Pem(keys))
                    .put("signingAlgorithm", algorithm)
                    .put("signingKeyId", "ops-2026");
                return c;
              })) {
        node.putAndAwaitSync(TestNode.scope("acme", remote.fileUrl()));
        HttpResponse<byte[]> bundle = get(node, "/scopes/acme/bundle.tar.gz");
        assertEquals(200, bundle.statusCode());
        Map<String, byte[]> files = untar(bundle.body());
        assertEquals(
            java.util.List.of(
                "/.signatures.json", "/.manifest", "/rbac/data.json", "/rbac/main.rego"),
            java.util.List.copyOf(files.keySet()));

        // The key an operator pastes into OPA's keys.<kid>.key.
        String pem =
            new String(get(node, "/bundles/signing-key").body(), StandardCharsets.US_ASCII);
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----"), pem);
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        PublicKey publicKey =
            KeyFactory.getInstance(keyType.equals("RSA") ? "RSA" : "EC")
                .generatePublic(new X509EncodedKeySpec(der));
        assertEquals(
            java.util.Arrays.toString(keys.getPublic().getEncoded()),
            java.util.Arrays.toString(publicKey.getEncoded()));

        JsonArray signatures =
            new JsonObject(new String(files.get("/.signatures.json"), StandardCharsets.UTF_8))
                .getJsonArray("signatures");
        assertEquals(1, signatures.size());
        String[] jws = signatures.getString(0).split("\\.");
        assertEquals(
            new JsonObject().put("alg", algorithm).put("kid", "ops-2026"),
            new JsonObject(segment(jws[0])));
        Signature verifier = Signature.getInstance(jdkAlgorithm);
        if (algorithm.startsWith("PS")) {
          verifier.setParameter(
              new java.security.spec.PSSParameterSpec(
                  "SHA-384", "MGF1", java.security.spec.MGF1ParameterSpec.SHA384, 48, 1));
        }
        verifier.initVerify(publicKey);
        verifier.update((jws[0] + "." + jws[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(
            verifier.verify(Base64.getUrlDecoder().decode(jws[2])),
            "the JWS verifies with the served key");

        // Every other file once, hashed as OPA hashes it: .rego over its bytes, JSON over its
        // structural encoding (keys sorted, no spaces).
        JsonObject payload = new JsonObject(segment(jws[1]));
        assertEquals(java.util.Set.of("files"), payload.fieldNames(), "no scope, nothing else");
        Map<String, String> listed = new TreeMap<>();
        for (Object item : payload.getJsonArray("files")) {
          JsonObject file = (JsonObject) item;
          assertEquals("SHA-256", file.getString("algorithm"));
          listed.put(file.getString("name"), file.getString("hash"));
        }
        JsonObject served =
            new JsonObject(new String(files.get("/.manifest"), StandardCharsets.UTF_8));
        assertEquals(commit, served.getString("revision"));
        StringBuilder roots = new StringBuilder();
        for (Object root : served.getJsonArray("roots")) {
          roots.append(roots.length() == 0 ? "" : ",").append('"').append(root).append('"');
        }
        // Keys in byte order ("revision" < "roots"), no spaces: OPA's structural encoding.
        String manifest = "{\"revision\":\"" + commit + "\",\"roots\":[" + roots + "]}";
        Map<String, String> expected =
            new TreeMap<>(
                Map.of(
                    ".manifest", sha256(manifest.getBytes(StandardCharsets.UTF_8)),
                    "rbac/main.rego", sha256(files.get("/rbac/main.rego")),
                    "rbac/data.json",
                        sha256(
                            "{\"roles\":{\"a\":null,\"b\":[2,1]}}"
                                .getBytes(StandardCharsets.UTF_8))));
        assertEquals(expected, listed);
        assertNotEquals(
            sha256("package app.rbac\n\ndefault allow = true\n".getBytes(StandardCharsets.UTF_8)),
            listed.get("rbac/main.rego"),
            "a changed file no longer matches");

        // Cached, conditional and long-polled exactly as unsigned bundles are.
        String etag = bundle.headers().firstValue("ETag").orElseThrow();
        assertEquals(
            304, get(node, "/scopes/acme/bundle.tar.gz", "If-None-Match", etag).statusCode());
        assertEquals(
            java.util.Arrays.toString(bundle.body()),
            java.util.Arrays.toString(get(node, "/scopes/acme/bundle.tar.gz").body()),
            "signed once, served from the cache");
        assertEquals(1, node.metric("scopesync_bundle_builds_total"));
      }
    }
  }

  @Test
  void withoutASigningKeyBundlesAreUnsignedAndNoKeyIsServed() throws Exception {
    try (GitRemote remote =
            GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "policies");
        TestNode node = TestNode.start(dir.resolve("node"))) {
      remote.commit("init", Map.of("a.rego", "package a\n"));
      node.putAndAwaitSync(TestNode.scope("acme", remote.fileUrl()));
      assertEquals(
          java.util.List.of("/.manifest", "/a.rego"),
          java.util.List.copyOf(untar(get(node, "/scopes/acme/bundle.tar.gz").body()).keySet()));
      HttpResponse<byte[]> key = get(node, "/bundles/signing-key");
      assertEquals(404, key.statusCode());
      assertTrue(new String(key.body(), StandardCharsets.UTF_8).contains("bundles.signingKey"));
    }
  }

  @Test
  void aKeyThatDoesNotParseOrFitStopsTheStartNamingTheSetting() {
    KeyPair rsa = TestKeys.rsa(2048);
    JsonObject config = TestNode.baseConfig(dir);
    config
        .getJsonObject("bundles")
        .put("signingKey", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
    ConfigException garbage = assertThrows(ConfigException.class, () -> ServerConfig.from(config));
    assertTrue(garbage.getMessage().startsWith("bundles.signingKey"), garbage.getMessage());
    config
        .getJsonObject("bundles")
        .put("signingKey", TestKeys.pkcs8Pem(rsa))
        .put("signingAlgorithm", "ES256");
    ConfigException misfit = assertThrows(ConfigException.class, () -> ServerConfig.from(config));
    assertTrue(misfit.getMessage().contains("ES256"), misfit.getMessage());
    String body =
        TestKeys.pkcs8Pem(rsa)
            .lines()
            .filter(l -> !l.startsWith("-----"))
            .findFirst()
            .orElseThrow();
    assertTrue(
        !misfit.getMessage().contains(body.substring(0, 16)), "the key is never in a message");
    assertTrue(
        !ServerConfig.from(configWith(rsa)).toString().contains(body.substring(0, 16)),
        "nor in the config's text");
  }

  private JsonObject configWith(KeyPair rsa) {
    JsonObject config = TestNode.baseConfig(dir);
    config.getJsonObject("bundles").put("signingKey", TestKeys.pkcs8Pem(rsa));
    return config;
  }
}
