package dev.scopesync.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every algorithm and every accepted PEM form: the {@code .signatures.json} is checked the way OPA
 * checks it, with plain JDK code and Jackson, independently of the signing code: one JWS, header
 * exactly {@code alg} and {@code kid}, payload exactly the files and their hashes (digests pasted
 * from {@link OpaJsonHashTest}'s hand-computed vectors or taken with the JDK over raw bytes), and a
 * signature that verifies with the public key parsed from {@code publicKeyPem()}.
 */
class BundleSignerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final byte[] MANIFEST =
      "{\"revision\":\"0123abc\",\"roots\":[\"policies\",\"data/x\"]}"
          .getBytes(StandardCharsets.UTF_8);

  /** Same vector as {@code OpaJsonHashTest.manifestAsOpaBundleWriterWritesIt}. */
  private static final String MANIFEST_HASH =
      "e5001312db3f18a7fa3b685c222b7b7d5c2800e7d09de10c590cef7e050d66da";

  private static final byte[] REGO =
      "package example\n\nallow := true\n".getBytes(StandardCharsets.UTF_8);

  /** printf 'package example\n\nallow := true\n' | sha256sum */
  private static final String REGO_HASH =
      "97ba4b7ef7cc3a129872f4d7f29d7a67990dd5fc3532d09f5cbaef4f9a41200b";

  private static final byte[] DATA =
      "{\"b\": [3, [2, {\"z\": 1, \"a\": null}]], \"a\": {\"d\": true, \"c\": false}, \"\": \"e\"}"
          .getBytes(StandardCharsets.UTF_8);

  /** Same vector as {@code OpaJsonHashTest.unsortedKeysAndNestedArrays}. */
  private static final String DATA_HASH =
      "e5958a18f997281489aab7c7bf3ef888ed513fac8a6a2439b859e29c13deab2e";

  private static final String UNICODE_NAME = "policies/naïve \"quoted\" ünïcode.rego";
  private static final byte[] UNICODE_REGO = "package naive\n".getBytes(StandardCharsets.UTF_8);

  private static KeyPair rsa;
  private static final Map<String, KeyPair> EC = new HashMap<>();

  @BeforeAll
  static void makeKeys() {
    rsa = TestKeys.rsa(2048);
    for (String curve : List.of("P-256", "P-384", "P-521")) {
      EC.put(curve, TestKeys.ec(curve));
    }
  }

  static List<BundleFile> bundleFiles() {
    return List.of(
        new BundleFile("/.manifest", MANIFEST),
        new BundleFile("/policies/example.rego", REGO),
        new BundleFile("/data/x/data.json", DATA),
        new BundleFile("/" + UNICODE_NAME, UNICODE_REGO));
  }

  static List<Map<String, String>> expectedFiles() {
    return List.of(
        file(".manifest", MANIFEST_HASH),
        file("policies/example.rego", REGO_HASH),
        file("data/x/data.json", DATA_HASH),
        file(UNICODE_NAME, OpaJsonHashTest.jdkSha256Hex(UNICODE_REGO)));
  }

  private static Map<String, String> file(String name, String hash) {
    Map<String, String> entry = new LinkedHashMap<>();
    entry.put("name", name);
    entry.put("hash", hash);
    entry.put("algorithm", "SHA-256");
    return entry;
  }

  static Stream<Arguments> algorithmsAndForms() {
    List<Arguments> cases = new ArrayList<>();
    for (String alg : List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")) {
      cases.add(Arguments.of(alg, "PRIVATE KEY (PKCS#8)"));
      cases.add(Arguments.of(alg, "RSA PRIVATE KEY (PKCS#1)"));
    }
    for (String alg : List.of("ES256", "ES384", "ES512")) {
      cases.add(Arguments.of(alg, "PRIVATE KEY (PKCS#8)"));
      cases.add(Arguments.of(alg, "EC PRIVATE KEY (SEC1)"));
      cases.add(Arguments.of(alg, "EC PARAMETERS + EC PRIVATE KEY (openssl ecparam -genkey)"));
      cases.add(Arguments.of(alg, "SEC1 on one line with \\n"));
    }
    return cases.stream();
  }

  private static String curveOf(String alg) {
    return switch (alg) {
      case "ES256" -> "P-256";
      case "ES384" -> "P-384";
      case "ES512" -> "P-521";
      default -> null;
    };
  }

  private static String pemFor(String alg, String form) {
    String curve = curveOf(alg);
    KeyPair keys = curve == null ? rsa : EC.get(curve);
    return switch (form) {
      case "PRIVATE KEY (PKCS#8)" -> TestKeys.pkcs8Pem(keys);
      case "RSA PRIVATE KEY (PKCS#1)" -> TestKeys.pkcs1Pem(keys);
      case "EC PRIVATE KEY (SEC1)" -> TestKeys.sec1Pem(keys, curve);
      case "EC PARAMETERS + EC PRIVATE KEY (openssl ecparam -genkey)" ->
          TestKeys.ecParametersPem(curve) + TestKeys.sec1Pem(keys, curve);
      case "SEC1 on one line with \\n" -> TestKeys.sec1Pem(keys, curve).replace("\n", "\\n");
      default -> throw new AssertionError(form);
    };
  }

  @ParameterizedTest(name = "{0} from {1}")
  @MethodSource("algorithmsAndForms")
  void signaturesVerifyIndependently(String alg, String form) throws Exception {
    BundleSigner signer = BundleSigner.fromConfig(pemFor(alg, form), alg, "ops-key-1");
    assertEquals(alg, signer.algorithm().name());
    assertEquals("ops-key-1", signer.keyId());

    String signatures = signer.signaturesJson(bundleFiles());
    Token token = Token.parse(signatures);
    assertEquals(Map.of("alg", alg, "kid", "ops-key-1"), token.headerFields());
    assertEquals(expectedFiles(), token.files());

    PublicKey publicKey = parsePublicKeyPem(signer.publicKeyPem());
    String curve = curveOf(alg);
    KeyPair original = curve == null ? rsa : EC.get(curve);
    assertArrayEquals(
        original.getPublic().getEncoded(),
        publicKey.getEncoded(),
        "publicKeyPem is the public half of the configured key");
    assertTrue(verify(alg, publicKey, token), alg + " signature verifies with plain JDK code");

    // And a signature over anything else does not.
    Token forged =
        new Token(
            token.header(),
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"files\":[]}".getBytes(StandardCharsets.UTF_8)),
            token.signature());
    assertFalse(verify(alg, publicKey, forged));
  }

  @Test
  void esSignaturesAreRawFixedWidthRAndS() throws Exception {
    for (Map.Entry<String, Integer> expected :
        Map.of("ES256", 64, "ES384", 96, "ES512", 132).entrySet()) {
      String alg = expected.getKey();
      BundleSigner signer =
          BundleSigner.fromConfig(TestKeys.pkcs8Pem(EC.get(curveOf(alg))), alg, null);
      for (int i = 0; i < 8; i++) {
        Token token = Token.parse(signer.signaturesJson(bundleFiles()));
        assertEquals(expected.getValue(), token.signatureBytes().length, alg + " r||s width");
      }
    }
  }

  @Test
  void psSignaturesUseASaltAsLongAsTheHash() throws Exception {
    BundleSigner signer = BundleSigner.fromConfig(TestKeys.pkcs8Pem(rsa), "PS256", null);
    Token token = Token.parse(signer.signaturesJson(bundleFiles()));
    PublicKey publicKey = parsePublicKeyPem(signer.publicKeyPem());
    assertTrue(verifyPss(publicKey, token, "SHA-256", MGF1ParameterSpec.SHA256, 32));
    assertFalse(
        verifyPss(publicKey, token, "SHA-256", MGF1ParameterSpec.SHA256, 0), "salt is not empty");
    assertFalse(
        verifyPss(publicKey, token, "SHA-256", MGF1ParameterSpec.SHA256, 20),
        "salt is not 20 bytes");
  }

  @Test
  void defaultsAreRs256AndKidScopesyncAndTheHeaderIsExactlyAlgAndKid() throws Exception {
    BundleSigner signer = BundleSigner.fromConfig(TestKeys.pkcs1Pem(rsa), null, " ");
    assertEquals(SigningAlgorithm.RS256, signer.algorithm());
    assertEquals("scopesync", signer.keyId());
    Token token = Token.parse(signer.signaturesJson(bundleFiles()));
    assertEquals(
        "{\"alg\":\"RS256\",\"kid\":\"scopesync\"}",
        new String(Base64.getUrlDecoder().decode(token.header()), StandardCharsets.UTF_8));
    assertTrue(verify("RS256", parsePublicKeyPem(signer.publicKeyPem()), token));
  }

  @Test
  void signaturesFileIsOneJwsAndNothingElse() throws Exception {
    BundleSigner signer =
        BundleSigner.fromConfig(TestKeys.pkcs8Pem(EC.get("P-256")), "ES256", null);
    byte[] file = signer.signaturesFile(bundleFiles());
    JsonNode root = JSON.readTree(file);
    assertEquals(Set.of("signatures"), fieldNames(root));
    assertEquals(1, root.get("signatures").size());
    String jws = root.get("signatures").get(0).asText();
    assertTrue(
        jws.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"),
        "compact JWS, unpadded base64url");
    assertEquals("/.signatures.json", BundleSigner.SIGNATURES_ENTRY);
  }

  @Test
  void aChangedFileNoLongerMatchesItsListedHash() throws Exception {
    BundleSigner signer = BundleSigner.fromConfig(TestKeys.pkcs8Pem(rsa), "RS256", null);
    Token token = Token.parse(signer.signaturesJson(bundleFiles()));
    Map<String, String> listed = new HashMap<>();
    for (Map<String, String> entry : token.files()) {
      listed.put(entry.get("name"), entry.get("hash"));
    }
    // Unchanged files match, as OPA's VerifyBundleFile recomputes them.
    for (BundleFile file : bundleFiles()) {
      assertEquals(
          listed.get(file.signedName()), OpaFileHash.sha256Hex(file.signedName(), file.content()));
    }
    // One changed byte of policy, or a changed value in data, does not.
    byte[] tamperedRego = "package example\n\nallow := false\n".getBytes(StandardCharsets.UTF_8);
    assertNotEquals(
        listed.get("policies/example.rego"),
        OpaFileHash.sha256Hex("policies/example.rego", tamperedRego));
    byte[] tamperedData =
        new String(DATA, StandardCharsets.UTF_8)
            .replace("\"z\": 1", "\"z\": 2")
            .getBytes(StandardCharsets.UTF_8);
    assertNotEquals(
        listed.get("data/x/data.json"), OpaFileHash.sha256Hex("data/x/data.json", tamperedData));
    // 1 and 1.0 are different texts, so different hashes (OPA keeps json.Number text).
    byte[] retyped =
        new String(DATA, StandardCharsets.UTF_8)
            .replace("\"z\": 1", "\"z\": 1.0")
            .getBytes(StandardCharsets.UTF_8);
    assertNotEquals(
        listed.get("data/x/data.json"), OpaFileHash.sha256Hex("data/x/data.json", retyped));
    // Re-indenting data.json is not a change to OPA.
    byte[] reformatted =
        "{\"\":\"e\",\"a\":{\"c\":false,\"d\":true},\"b\":[3,[2,{\"a\":null,\"z\":1}]]}"
            .getBytes(StandardCharsets.UTF_8);
    assertEquals(
        listed.get("data/x/data.json"), OpaFileHash.sha256Hex("data/x/data.json", reformatted));
    // A changed payload breaks the signature.
    String tamperedPayload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                new String(Base64.getUrlDecoder().decode(token.payload()), StandardCharsets.UTF_8)
                    .replace(REGO_HASH, OpaFileHash.sha256Hex("x.rego", tamperedRego))
                    .getBytes(StandardCharsets.UTF_8));
    assertFalse(
        verify(
            "RS256",
            parsePublicKeyPem(signer.publicKeyPem()),
            new Token(token.header(), tamperedPayload, token.signature())));
  }

  @Test
  void filesAreListedOnceInTheGivenOrderWithoutTheLeadingSlash() throws Exception {
    BundleSigner signer = BundleSigner.fromConfig(TestKeys.pkcs8Pem(rsa), "RS256", null);
    List<BundleFile> files = new ArrayList<>(bundleFiles());
    files.add(new BundleFile("no/slash.rego", REGO));
    List<String> names = new ArrayList<>();
    for (Map<String, String> entry : Token.parse(signer.signaturesJson(files)).files()) {
      names.add(entry.get("name"));
    }
    assertEquals(
        List.of(
            ".manifest",
            "policies/example.rego",
            "data/x/data.json",
            UNICODE_NAME,
            "no/slash.rego"),
        names);
    assertEquals(names.size(), new LinkedHashSet<>(names).size());
  }

  @Test
  void badFileListsAreRefused() {
    BundleSigner signer =
        BundleSigner.fromConfig(TestKeys.pkcs8Pem(EC.get("P-256")), "ES256", null);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            signer.signaturesJson(
                List.of(new BundleFile("/a.rego", REGO), new BundleFile("a.rego", REGO))),
        "same file twice");
    assertThrows(
        IllegalArgumentException.class,
        () -> signer.signaturesJson(List.of(new BundleFile("/.signatures.json", REGO))),
        "the signatures file itself");
    assertThrows(
        IllegalArgumentException.class,
        () -> signer.signaturesJson(List.of(new BundleFile("/x/mysignatures.json", REGO))),
        "OPA would take it for the signatures");
    assertThrows(
        IllegalArgumentException.class,
        () -> signer.signaturesJson(List.of(new BundleFile("/", REGO))),
        "empty name");
    // An empty bundle is still a valid signature (OPA then expects no files).
    assertEquals(List.of(), filesOf(signer, List.of()));
  }

  private static List<Map<String, String>> filesOf(BundleSigner signer, List<BundleFile> files) {
    try {
      return Token.parse(signer.signaturesJson(files)).files();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void sameSettingsSameFingerprintAnyChangeADifferentOne() {
    String pem = TestKeys.pkcs8Pem(rsa);
    BundleSigner a = BundleSigner.fromConfig(pem, "RS256", "k1");
    assertEquals(
        a.fingerprint(),
        BundleSigner.fromConfig(TestKeys.pkcs1Pem(rsa), "RS256", "k1").fingerprint());
    assertNotEquals(a.fingerprint(), BundleSigner.fromConfig(pem, "RS256", "k2").fingerprint());
    assertNotEquals(a.fingerprint(), BundleSigner.fromConfig(pem, "PS256", "k1").fingerprint());
    assertNotEquals(
        a.fingerprint(),
        BundleSigner.fromConfig(TestKeys.pkcs8Pem(TestKeys.rsa(2048)), "RS256", "k1")
            .fingerprint());
    assertTrue(a.fingerprint().matches("[0-9a-f]{64}"));
  }

  @Test
  void publicKeyPemIsSpkiInSixtyFourColumnLines() throws Exception {
    BundleSigner signer =
        BundleSigner.fromConfig(TestKeys.sec1Pem(EC.get("P-384"), "P-384"), "ES384", null);
    String pem = signer.publicKeyPem();
    assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n"));
    assertTrue(pem.endsWith("\n-----END PUBLIC KEY-----\n"));
    for (String line : pem.split("\n")) {
      assertTrue(line.length() <= 64, line);
    }
    assertEquals(
        ((ECPublicKey) EC.get("P-384").getPublic()).getW(),
        ((ECPublicKey) parsePublicKeyPem(pem)).getW());
  }

  // --- independent verification ----------------------------------------------------------------

  /** A compact JWS taken apart. */
  record Token(String header, String payload, String signature) {
    static Token parse(String signaturesJson) throws Exception {
      JsonNode root = JSON.readTree(signaturesJson);
      assertEquals(Set.of("signatures"), fieldNames(root));
      assertEquals(1, root.get("signatures").size(), "OPA takes exactly one JWT");
      String[] parts = root.get("signatures").get(0).asText().split("\\.", -1);
      assertEquals(3, parts.length);
      return new Token(parts[0], parts[1], parts[2]);
    }

    Map<String, Object> headerFields() throws Exception {
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = JSON.readValue(Base64.getUrlDecoder().decode(header), Map.class);
      return fields;
    }

    /**
     * The payload's files; fails unless the payload is exactly {"files":[{name,hash,algorithm}…]}.
     */
    List<Map<String, String>> files() throws Exception {
      JsonNode payloadJson = JSON.readTree(Base64.getUrlDecoder().decode(payload));
      assertEquals(Set.of("files"), fieldNames(payloadJson), "no scope, keyid or other claims");
      List<Map<String, String>> files = new ArrayList<>();
      for (JsonNode entry : payloadJson.get("files")) {
        assertEquals(List.of("name", "hash", "algorithm"), new ArrayList<>(fieldNames(entry)));
        files.add(file(entry.get("name").asText(), entry.get("hash").asText()));
        assertEquals("SHA-256", entry.get("algorithm").asText());
      }
      return files;
    }

    byte[] signatureBytes() {
      return Base64.getUrlDecoder().decode(signature);
    }

    byte[] signingInput() {
      return (header + "." + payload).getBytes(StandardCharsets.US_ASCII);
    }
  }

  static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new LinkedHashSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  static PublicKey parsePublicKeyPem(String pem) throws Exception {
    assertTrue(pem.contains("-----BEGIN PUBLIC KEY-----"));
    String body =
        pem.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(body);
    for (String type : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
      } catch (java.security.spec.InvalidKeySpecException notThisType) {
        // try the next
      }
    }
    throw new AssertionError("not an RSA or EC SubjectPublicKeyInfo");
  }

  /** Verifies as RFC 7518 says, with JDK primitives chosen here, not by the code under test. */
  static boolean verify(String alg, PublicKey publicKey, Token token) throws Exception {
    String bits = alg.substring(2);
    byte[] signature = token.signatureBytes();
    Signature verifier;
    switch (alg.substring(0, 2)) {
      case "RS" -> verifier = Signature.getInstance("SHA" + bits + "withRSA");
      case "PS" -> {
        MGF1ParameterSpec mgf =
            switch (bits) {
              case "256" -> MGF1ParameterSpec.SHA256;
              case "384" -> MGF1ParameterSpec.SHA384;
              default -> MGF1ParameterSpec.SHA512;
            };
        return verifyPss(publicKey, token, "SHA-" + bits, mgf, Integer.parseInt(bits) / 8);
      }
      case "ES" -> {
        // JWS ES signatures are r||s; the plain JDK ECDSA verifier wants DER, so convert.
        int half = signature.length / 2;
        assertEquals(0, signature.length % 2);
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, half));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, half, signature.length));
        signature =
            new DERSequence(
                    new org.bouncycastle.asn1.ASN1Encodable[] {
                      new ASN1Integer(r), new ASN1Integer(s)
                    })
                .getEncoded("DER");
        verifier = Signature.getInstance("SHA" + bits + "withECDSA");
      }
      default -> throw new AssertionError(alg);
    }
    verifier.initVerify(publicKey);
    verifier.update(token.signingInput());
    return verifier.verify(signature);
  }

  static boolean verifyPss(
      PublicKey publicKey, Token token, String hash, MGF1ParameterSpec mgf, int saltLength)
      throws Exception {
    Signature verifier = Signature.getInstance("RSASSA-PSS");
    verifier.setParameter(new PSSParameterSpec(hash, "MGF1", mgf, saltLength, 1));
    verifier.initVerify(publicKey);
    verifier.update(token.signingInput());
    try {
      return verifier.verify(token.signatureBytes());
    } catch (java.security.SignatureException e) {
      return false;
    }
  }
}
