package dev.scopesync.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every expected string here was produced by Python 3.11's {@code json.dumps(value)} with default
 * arguments, and pasted as a literal.
 */
final class PythonJsonTest {

  @Test
  void encodesEmptyObjectAndEmptyArray() {
    assertEquals("{}", PythonJson.encode(new JsonObject()));
    assertEquals("[]", PythonJson.encode(new JsonArray()));
  }

  @Test
  void encodesScalarsAtTopLevel() {
    assertEquals("true", PythonJson.encode(true));
    assertEquals("false", PythonJson.encode(false));
    assertEquals("null", PythonJson.encode(null));
    assertEquals("\"\"", PythonJson.encode(""));
  }

  @Test
  void separatesWithCommaSpaceAndColonSpaceKeepingKeyOrder() {
    JsonObject value =
        new JsonObject().put("z", 1).put("a", 2).put("m", new JsonArray().add(1).add(2));
    // json.dumps({"z": 1, "a": 2, "m": [1, 2]})
    assertEquals("{\"z\": 1, \"a\": 2, \"m\": [1, 2]}", PythonJson.encode(value));
  }

  @Test
  void keepsKeyOrderOfParsedJson() {
    JsonObject parsed = new JsonObject("{\"zeta\":1,\"alpha\":2,\"mid\":3,\"beta\":4}");
    assertEquals("{\"zeta\": 1, \"alpha\": 2, \"mid\": 3, \"beta\": 4}", PythonJson.encode(parsed));
  }

  @Test
  void keepsNullValuesInsideObjectsAndArrays() {
    JsonObject value =
        new JsonObject()
            .putNull("a")
            .put("b", new JsonArray().addNull())
            .put("c", new JsonObject());
    // json.dumps({"a": None, "b": [None], "c": {}})
    assertEquals("{\"a\": null, \"b\": [null], \"c\": {}}", PythonJson.encode(value));
  }

  @Test
  void encodesNestedArraysAndObjects() {
    JsonObject value =
        new JsonObject()
            .put(
                "outer",
                new JsonObject()
                    .put(
                        "inner",
                        new JsonArray()
                            .add(1)
                            .add(new JsonArray().add(2).add(new JsonObject().put("deep", true)))
                            .add(new JsonObject())))
            .put("list", new JsonArray().add(new JsonArray()).add(new JsonObject()))
            .put("flag", false);
    // json.dumps({"outer": {"inner": [1, [2, {"deep": True}], {}]}, "list": [[], {}], "flag":
    // False})
    assertEquals(
        "{\"outer\": {\"inner\": [1, [2, {\"deep\": true}], {}]}, \"list\": [[], {}], \"flag\": false}",
        PythonJson.encode(value));
  }

  @Test
  void encodesJavaMapsAndListsLikeJsonTypes() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("b", List.of(1, "two"));
    map.put("a", null);
    map.put("n", Arrays.asList(null, true));
    assertEquals("{\"b\": [1, \"two\"], \"a\": null, \"n\": [null, true]}", PythonJson.encode(map));
  }

  @Test
  void escapesQuoteAndBackslashButNotSlash() {
    // json.dumps('say "hi" \\ there /')
    assertEquals("\"say \\\"hi\\\" \\\\ there /\"", PythonJson.encode("say \"hi\" \\ there /"));
  }

  @Test
  void escapesControlCharactersWithShortFormsWhereJsonHasThem() {
    // json.dumps("\u0000\u0001\u001f\b\f\n\r\t\u000b")
    assertEquals(
        "\"\\u0000\\u0001\\u001f\\b\\f\\n\\r\\t\\u000b\"",
        PythonJson.encode("\u0000\u0001\u001f\b\f\n\r\t\u000b"));
  }

  @Test
  void escapesDelAndNonAsciiAsLowercaseUnicode() {
    // json.dumps("\u007f~ caf\u00e9 \u00ff \u0100 \u2028\u2029 \ufeff \uffff")
    assertEquals(
        "\"\\u007f~ caf\\u00e9 \\u00ff \\u0100 \\u2028\\u2029 \\ufeff \\uffff\"",
        PythonJson.encode("\u007f~ caf\u00e9 \u00ff \u0100 \u2028\u2029 \ufeff \uffff"));
  }

  @Test
  void escapesAstralCharactersAsSurrogatePairEscapes() {
    // json.dumps("hi \U0001F600!")
    assertEquals("\"hi \\ud83d\\ude00!\"", PythonJson.encode("hi \uD83D\uDE00!"));
    // json.dumps("\U00010000\U0010FFFF")
    assertEquals("\"\\ud800\\udc00\\udbff\\udfff\"", PythonJson.encode("\uD800\uDC00\uDBFF\uDFFF"));
  }

  @Test
  void escapesObjectKeysLikeValues() {
    // json.dumps({"cl\u00e9\n": "\U0001F600"})
    assertEquals(
        "{\"cl\\u00e9\\n\": \"\\ud83d\\ude00\"}",
        PythonJson.encode(new JsonObject().put("cl\u00e9\n", "\uD83D\uDE00")));
  }

  @Test
  void outputIsPureAscii() {
    String encoded =
        PythonJson.encode(
            new JsonObject().put("k\u00e9", "\u4e2d\u6587 \uD83D\uDE00 \u007f \u0000"));
    assertTrue(encoded.chars().allMatch(c -> c >= 0x20 && c < 0x7f), encoded);
  }

  @Test
  void encodesIntegersLongsAndBigIntegersAsPythonInts() {
    JsonArray value =
        new JsonArray()
            .add(0)
            .add(-1)
            .add(Integer.MAX_VALUE)
            .add(Long.MIN_VALUE)
            .add(BigInteger.TWO.pow(70))
            .add(BigInteger.TWO.pow(64).negate());
    // json.dumps([0, -1, 2147483647, -9223372036854775808, 2**70, -(2**64)])
    assertEquals(
        "[0, -1, 2147483647, -9223372036854775808, 1180591620717411303424, -18446744073709551616]",
        PythonJson.encode(value));
  }

  /** (double, json.dumps(that float)). */
  static Stream<Arguments> floats() {
    return Stream.of(
        Arguments.of(1.0, "1.0"),
        Arguments.of(0.0, "0.0"),
        Arguments.of(-0.0, "-0.0"),
        Arguments.of(0.1, "0.1"),
        Arguments.of(0.0001, "0.0001"),
        Arguments.of(1e-05, "1e-05"),
        Arguments.of(-1e-05, "-1e-05"),
        Arguments.of(9.5e-05, "9.5e-05"),
        Arguments.of(1e-07, "1e-07"),
        Arguments.of(1.2345e-10, "1.2345e-10"),
        Arguments.of(100.0, "100.0"),
        Arguments.of(-2.5, "-2.5"),
        Arguments.of(123456.789, "123456.789"),
        Arguments.of(1e15, "1000000000000000.0"),
        Arguments.of(1234567890123456.0, "1234567890123456.0"),
        Arguments.of(9999999999999998.0, "9999999999999998.0"),
        Arguments.of(1e16, "1e+16"),
        Arguments.of(1e22, "1e+22"),
        Arguments.of(12345678901234567890.0, "1.2345678901234567e+19"),
        Arguments.of(1.5e300, "1.5e+300"),
        Arguments.of(3.141592653589793, "3.141592653589793"),
        Arguments.of(1.0 / 3, "0.3333333333333333"),
        Arguments.of(2.0 / 3, "0.6666666666666666"),
        Arguments.of(0.1 + 0.2, "0.30000000000000004"),
        Arguments.of(Double.MAX_VALUE, "1.7976931348623157e+308"),
        Arguments.of(Double.MIN_NORMAL, "2.2250738585072014e-308"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("floats")
  void encodesFloatsAsPythonRepr(double value, String expected) {
    assertEquals(expected, PythonJson.encode(value));
  }

  /**
   * Doubles whose Java 17 {@code Double.toString} is longer than the shortest round-tripping
   * decimal (JDK-4511638, fixed in Java 19), while Python's repr is the shortest.
   */
  static Stream<Arguments> floatsJava17PrintsTooLong() {
    return Stream.of(
        Arguments.of(Double.MIN_VALUE, "5e-324"),
        Arguments.of(5e-323, "5e-323"),
        Arguments.of(1e23, "1e+23"),
        Arguments.of(2e23, "2e+23"),
        Arguments.of(8.41e21, "8.41e+21"),
        Arguments.of(1.373428634809579e+18, "1.373428634809579e+18"),
        Arguments.of(-9.334465534579821e+17, "-9.334465534579821e+17"),
        Arguments.of(5.299064834871378e+16, "5.299064834871378e+16"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("floatsJava17PrintsTooLong")
  void encodesFloatsWithTheShortestRoundTrippingDigits(double value, String expected) {
    assertEquals(expected, PythonJson.encode(value));
  }

  @Test
  void encodesNonFiniteFloatsAsPythonDoes() {
    JsonArray value =
        new JsonArray().add(Double.NaN).add(Double.POSITIVE_INFINITY).add(Double.NEGATIVE_INFINITY);
    // json.dumps([float("nan"), float("inf"), float("-inf")])
    assertEquals("[NaN, Infinity, -Infinity]", PythonJson.encode(value));
  }

  @Test
  void encodesJavaFloatsByTheirDoubleValue() {
    // json.dumps(struct.unpack("f", struct.pack("f", 0.1))[0]) and json.dumps(0.5)
    assertEquals("0.10000000149011612", PythonJson.encode(0.1f));
    assertEquals("0.5", PythonJson.encode(0.5f));
  }

  @Test
  void keepsParsedFloatsAndIntsApart() {
    JsonObject parsed = new JsonObject("{\"a\": 1.0, \"b\": 1e-5, \"c\": 10, \"d\": 2.50}");
    // json.dumps(json.loads('{"a": 1.0, "b": 1e-5, "c": 10, "d": 2.50}'))
    assertEquals("{\"a\": 1.0, \"b\": 1e-05, \"c\": 10, \"d\": 2.5}", PythonJson.encode(parsed));
  }
}
