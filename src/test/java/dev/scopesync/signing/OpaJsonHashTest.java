package dev.scopesync.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Test vectors for OPA's structural JSON hash ({@code walk}/{@code encodePrimitive} in OPA's {@code
 * v1/bundle/hash.go}, parsing by {@code util.Unmarshal}).
 *
 * <p>Each vector's canonical string was written by hand from OPA's algorithm; its digest is the
 * SHA-256 of that string's UTF-8 bytes, computed with Python 3.11 {@code hashlib.sha256} (and, for
 * the ASCII ones, checked with {@code printf '%s' '<canonical>' | sha256sum}). Every canonical
 * string was also compared with a separate Python re-statement of the algorithm (json.loads with
 * parse_int/parse_float keeping the text, Go's per-byte U+FFFD, keys sorted by UTF-8 bytes, Go's
 * escaping), which agreed on all of them. Go is not installed on this machine, so OPA itself could
 * not be run on the vectors.
 */
class OpaJsonHashTest {

  private static void assertVector(byte[] input, String canonical, String sha256) {
    byte[] expected = canonical.getBytes(StandardCharsets.UTF_8);
    assertEquals(
        new String(expected, StandardCharsets.UTF_8),
        new String(OpaJsonHash.canonicalBytes(input), StandardCharsets.UTF_8));
    assertArrayEquals(expected, OpaJsonHash.canonicalBytes(input));
    // The pasted digest belongs to the canonical string (guards against a pasting slip)...
    assertEquals(sha256, jdkSha256Hex(expected));
    // ...and is what the hash of the input gives.
    assertEquals(sha256, OpaJsonHash.sha256Hex(input));
  }

  private static void assertVector(String input, String canonical, String sha256) {
    assertVector(input.getBytes(StandardCharsets.UTF_8), canonical, sha256);
  }

  @Test
  void unsortedKeysAndNestedArrays() {
    assertVector(
        "{\"b\": [3, [2, {\"z\": 1, \"a\": null}]], \"a\": {\"d\": true, \"c\": false}, \"\": \"e\"}",
        "{\"\":\"e\",\"a\":{\"c\":false,\"d\":true},\"b\":[3,[2,{\"a\":null,\"z\":1}]]}",
        // python3: hashlib.sha256(canonical.encode()).hexdigest()
        "e5958a18f997281489aab7c7bf3ef888ed513fac8a6a2439b859e29c13deab2e");
  }

  @Test
  void lineSeparatorsAreEscapedAndHtmlCharactersAreNot() {
    // Input: U+2028/U+2029 both escaped and raw; '<>&' raw; "\/" escaped; é and 😀 raw.
    assertVector(
        "{\"t\":\"<>&\\/é😀\",\"s\":\"a\\u2028b\\u2029c\",\"r\":\"x\u2028y\u2029z\"}",
        "{\"r\":\"x\\u2028y\\u2029z\",\"s\":\"a\\u2028b\\u2029c\",\"t\":\"<>&/é😀\"}",
        // python3 hashlib.sha256
        "7de87b58d643ddaca48fc215e069bf5d36f4d45425251a8006ea0121b3bc8c03");
  }

  @Test
  void controlCharacters() {
    // Backspace and form feed get short escapes (Go >= 1.22); other controls a six-character
    // escape with lower-case hex; DEL raw.
    assertVector(
        "[\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u000B\\u001f\\u007f\\\"\\\\\\/\", \"\\u00e9\\u00E9\"]",
        "[\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u000b\\u001f\u007f\\\"\\\\/\",\"éé\"]",
        // python3 hashlib.sha256
        "d712e3d1c730ea8219d852e0a62028ab8a6fead6b035162885845b08e979308a");
  }

  @Test
  void nonBmpCharactersAndLoneSurrogates() {
    // An escaped pair, upper-case hex, raw UTF-8: all U+1F600. A lone or misordered surrogate
    // escape becomes U+FFFD; a high surrogate followed by a non-surrogate escape too.
    byte[] input =
        concat(
            "[\"\\ud83d\\ude00\", \"\\uD83D\\uDE00\", \"".getBytes(StandardCharsets.UTF_8),
            bytes(0xf0, 0x9f, 0x98, 0x80),
            ("\", \"\\ud800\", \"\\udc00\\ud83d\", \"\\ud83d\\u0041\", \"\\ud83d\\ud83d\\ude00\"]")
                .getBytes(StandardCharsets.UTF_8));
    assertVector(
        input,
        "[\"😀\",\"😀\",\"😀\",\"\uFFFD\",\"\uFFFD\uFFFD\",\"\uFFFDA\",\"\uFFFD😀\"]",
        // python3 hashlib.sha256
        "72b15ea60c29c55218478bbe8592d513dd6756892147dff8142a5c63bb27fc8c");
  }

  @Test
  void keysSortByUtf8BytesNotUtf16NorEscapedForm() {
    // UTF-8: 1F < 20 < 'z' < C3 A9 (é) < EF AC 81 (ﬁ) < F0 9F 98 80 (😀).
    // Java's String.compareTo would put 😀 (D83D) before ﬁ (FB01), and sorting the escaped
    // form would put the space before the escaped U+001F.
    assertVector(
        "{\"\\uD83D\\uDE00\":1,\"\\uFB01\":2,\"\\u001f\":3,\" \":4,\"\\u00e9\":5,\"z\":6}",
        "{\"\\u001f\":3,\" \":4,\"z\":6,\"é\":5,\"\uFB01\":2,\"😀\":1}",
        // python3 hashlib.sha256
        "180f0541a7c51062e4c886d7cd5aa0a327a0b5e073d830081df4fcae7c43be51");
    assertTrue(
        "\uD83D\uDE00".compareTo("\uFB01") < 0, "UTF-16 order differs from UTF-8 order here");
  }

  @Test
  void numbersKeepTheirSourceText() {
    assertVector(
        "[1.0, 1e3, -0, 1E+3, 12345678901234567890123456789, -0.0e-0, 0.1, 1.5E-10, 100, {\"n\": 1.0}]",
        "[1.0,1e3,-0,1E+3,12345678901234567890123456789,-0.0e-0,0.1,1.5E-10,100,{\"n\":1.0}]",
        // python3 hashlib.sha256
        "7e5a9d7eba9c63d99d81b020f792b3fb995dcec1b0df2613cdce167f922002d1");
  }

  @Test
  void duplicateKeyLastValueWins() {
    assertVector(
        "{\"a\": 1, \"b\": 2, \"a\": {\"y\": [], \"x\": {}}}",
        "{\"a\":{\"x\":{},\"y\":[]},\"b\":2}",
        // printf '%s' '{"a":{"x":{},"y":[]},"b":2}' | sha256sum
        "792ba2f6b99e0e448b6623d4b0d87553646af0693641e8bfae3a0f1b94676e61");
  }

  @Test
  void byteOrderMarkIsIgnored() {
    byte[] input =
        concat(bytes(0xef, 0xbb, 0xbf), "{ \"k\" : \"v\" }\n".getBytes(StandardCharsets.UTF_8));
    assertVector(
        input,
        "{\"k\":\"v\"}",
        // printf '%s' '{"k":"v"}' | sha256sum
        "666c1aa02e8068c6d5cc1d3295009432c16790bec28ec8ce119d0d1a18d61319");
    assertEquals(
        OpaJsonHash.sha256Hex("{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8)),
        OpaJsonHash.sha256Hex(input));
  }

  @Test
  void invalidUtf8BecomesOneReplacementCharacterPerByte() {
    // Go's utf8.DecodeRune returns (RuneError, 1) for every byte that starts no valid sequence:
    // FF, then E2 82 (cut short by 'b'), then the CESU-style surrogate ED A0 80: three each.
    byte[] input =
        concat(
            "[\"a".getBytes(StandardCharsets.UTF_8),
            bytes(0xff, 0xe2, 0x82),
            "b\", \"".getBytes(StandardCharsets.UTF_8),
            bytes(0xed, 0xa0, 0x80),
            "\"]".getBytes(StandardCharsets.UTF_8));
    assertVector(
        input,
        "[\"a\uFFFD\uFFFD\uFFFDb\",\"\uFFFD\uFFFD\uFFFD\"]",
        // python3 hashlib.sha256
        "628051e644131178299c1a593d57bdb223e71177d8e9b1d655b082fbf10bc093");
  }

  @Test
  void manifestAsOpaBundleWriterWritesIt() {
    assertVector(
        "{\"revision\":\"0123abc\",\"roots\":[\"policies\",\"data/x\"]}",
        "{\"revision\":\"0123abc\",\"roots\":[\"policies\",\"data/x\"]}",
        // python3 hashlib.sha256
        "e5001312db3f18a7fa3b685c222b7b7d5c2800e7d09de10c590cef7e050d66da");
  }

  @Test
  void whitespaceAndLayoutDoNotMatter() {
    String pretty = "{\n  \"b\" : [ 1 ,\t2 ],\r\n  \"a\" : { }\n}\n";
    assertEquals(
        "{\"a\":{},\"b\":[1,2]}",
        new String(
            OpaJsonHash.canonicalBytes(pretty.getBytes(StandardCharsets.UTF_8)),
            StandardCharsets.UTF_8));
  }

  @Test
  void topLevelScalars() {
    assertEquals("\"x\"", canonical("  \"x\"  "));
    assertEquals("-0", canonical("-0"));
    assertEquals("true", canonical("true"));
    assertEquals("null", canonical("\nnull\n"));
    assertEquals("[]", canonical("[ ]"));
  }

  @Test
  void nestingUpToGosLimitIsAcceptedAndBeyondItRefused() {
    int depth = CanonicalJson.MAX_DEPTH;
    String deepest = "[".repeat(depth) + "]".repeat(depth);
    assertEquals(deepest, canonical(deepest));
    String tooDeep = "[".repeat(depth + 1) + "]".repeat(depth + 1);
    assertThrows(IllegalArgumentException.class, () -> canonical(tooDeep));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "{",
        "[1,]",
        "{\"a\":1,}",
        "01",
        "1.",
        ".5",
        "+1",
        "-",
        "1e",
        "1e+",
        "[1] x",
        "[1][2]",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "\"\\x\"",
        "\"\\u12G4\"",
        "\"a\tb\"",
        "\"abc",
        "nul",
        "tru e",
        "NaN",
        "Infinity",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "[-]",
        "// comment\n{}"
      })
  void notJsonIsRefused(String input) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> canonical(input));
    assertTrue(e.getMessage().startsWith("not JSON at byte "), e.getMessage());
  }

  @Test
  void aByteOrderMarkAloneIsNotJson() {
    assertThrows(
        IllegalArgumentException.class, () -> OpaJsonHash.canonicalBytes(bytes(0xef, 0xbb, 0xbf)));
  }

  @Test
  void goStringEncoderMatchesItsRules() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    GoJsonText.writeString(out, "<a href=\"x\">&amp;</a>\u2028\u0007é\u007f");
    assertEquals(
        "\"<a href=\\\"x\\\">&amp;</a>\\u2028\\u0007é\u007f\"",
        out.toString(StandardCharsets.UTF_8));
  }

  // --- OpaFileHash: which files are structured -------------------------------------------------

  @Test
  void regoIsHashedOverItsBytes() {
    byte[] rego = "package example\n\nallow := true\n".getBytes(StandardCharsets.UTF_8);
    // printf 'package example\n\nallow := true\n' | sha256sum
    assertEquals(
        "97ba4b7ef7cc3a129872f4d7f29d7a67990dd5fc3532d09f5cbaef4f9a41200b",
        OpaFileHash.sha256Hex("/policies/example.rego", rego));
  }

  @Test
  void structuredNamesAreOpasIsStructuredDoc() {
    assertTrue(OpaFileHash.isStructured("data.json"));
    assertTrue(OpaFileHash.isStructured("a/b/data.json"));
    assertTrue(OpaFileHash.isStructured("/a/data.json"));
    assertTrue(OpaFileHash.isStructured(".manifest"));
    assertTrue(OpaFileHash.isStructured("/.manifest"));
    assertTrue(OpaFileHash.isStructured("x/data.yaml"));
    assertFalse(OpaFileHash.isStructured("x/data.yml"), "OPA hashes data.yml over its bytes");
    assertFalse(OpaFileHash.isStructured("x/other.json"));
    assertFalse(OpaFileHash.isStructured("x/mydata.json"));
    assertFalse(OpaFileHash.isStructured("x/data.json.rego"));
  }

  @Test
  void dataJsonIsHashedStructurallyWhateverItsLayout() {
    byte[] a = "{\"b\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8);
    byte[] b = "{ \"a\": 2, \"b\": 1 }".getBytes(StandardCharsets.UTF_8);
    assertEquals(OpaFileHash.sha256Hex("x/data.json", a), OpaFileHash.sha256Hex("x/data.json", b));
    // A non-structured name with the same bytes is hashed over the bytes: different.
    assertEquals(jdkSha256Hex(a), OpaFileHash.sha256Hex("x/other.json", a));
  }

  @Test
  void dataJsonThatIsNotJsonFallsBackToItsBytes() {
    byte[] broken = "{\"a\":".getBytes(StandardCharsets.UTF_8);
    assertEquals(jdkSha256Hex(broken), OpaFileHash.sha256Hex("x/data.json", broken));
  }

  @Test
  void yamlDataIsRefusedUnlessItIsJson() {
    assertThrows(
        IllegalArgumentException.class,
        () -> OpaFileHash.sha256Hex("x/data.yaml", "a: 1\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(
        OpaJsonHash.sha256Hex("{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
        OpaFileHash.sha256Hex("x/data.yaml", "{\"a\": 1}".getBytes(StandardCharsets.UTF_8)));
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static String canonical(String json) {
    return new String(
        OpaJsonHash.canonicalBytes(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  static String jdkSha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
