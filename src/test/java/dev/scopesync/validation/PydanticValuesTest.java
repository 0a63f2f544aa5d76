package dev.scopesync.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each row is what pydantic v1 (1.10.26, {@code pydantic.v1}) answers for the same value; the float
 * texts are CPython 3.11's {@code repr()} (the implementation was also compared with CPython on 200
 * 000 random doubles, with no difference).
 */
class PydanticValuesTest {
  private static final List<String> AUTH_TYPES = List.of("none", "github_token", "userpass", "ssh");

  static Stream<Arguments> booleans() {
    return Stream.of(
        Arguments.of("JSON true is true", true, true),
        Arguments.of("JSON false is false", false, false),
        Arguments.of("the integer 1 is true", 1, true),
        Arguments.of("the integer 0 is false", 0, false),
        Arguments.of("a long 1 is true", 1L, true),
        Arguments.of("a big integer 1 is true", BigInteger.ONE, true),
        Arguments.of("the float 1.0 is true, since 1.0 == 1 in Python", 1.0, true),
        Arguments.of("the float -0.0 is false, since -0.0 == 0 in Python", -0.0, false),
        Arguments.of("the string \"true\" is true", "true", true),
        Arguments.of("the string \"TRUE\" is true: the case is folded", "TRUE", true),
        Arguments.of("the string \"True\" is true", "True", true),
        Arguments.of("the string \"1\" is true", "1", true),
        Arguments.of("the string \"on\" is true", "on", true),
        Arguments.of("the string \"t\" is true", "t", true),
        Arguments.of("the string \"y\" is true", "y", true),
        Arguments.of("the string \"Yes\" is true", "Yes", true),
        Arguments.of("the string \"false\" is false", "false", false),
        Arguments.of("the string \"0\" is false", "0", false),
        Arguments.of("the string \"OFF\" is false", "OFF", false),
        Arguments.of("the string \"f\" is false", "f", false),
        Arguments.of("the string \"n\" is false", "n", false),
        Arguments.of("the string \"No\" is false", "No", false),
        Arguments.of("the bytes \"yes\" are true", "yes".getBytes(StandardCharsets.UTF_8), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("booleans")
  void boolTakesWhatPydanticTakes(String sentence, Object value, boolean expected) {
    assertEquals(expected, PydanticValues.bool(value));
  }

  static Stream<Arguments> notBooleans() {
    return Stream.of(
        Arguments.of("the integer 2 is not a boolean", 2, PydanticValues.NOT_BOOLEAN),
        Arguments.of("the integer -1 is not a boolean", -1, PydanticValues.NOT_BOOLEAN),
        Arguments.of("the float 0.5 is not a boolean", 0.5, PydanticValues.NOT_BOOLEAN),
        Arguments.of("NaN is not a boolean", Double.NaN, PydanticValues.NOT_BOOLEAN),
        Arguments.of("the string \"maybe\" is not a boolean", "maybe", PydanticValues.NOT_BOOLEAN),
        Arguments.of(
            "the string \" yes\" is not a boolean: nothing is trimmed",
            " yes",
            PydanticValues.NOT_BOOLEAN),
        Arguments.of("the empty string is not a boolean", "", PydanticValues.NOT_BOOLEAN),
        Arguments.of("the string \"2\" is not a boolean", "2", PydanticValues.NOT_BOOLEAN),
        Arguments.of("the string \"1.0\" is not a boolean", "1.0", PydanticValues.NOT_BOOLEAN),
        Arguments.of("an array is not a boolean", List.of(true), PydanticValues.NOT_BOOLEAN),
        Arguments.of("an object is not a boolean", Map.of("a", 1), PydanticValues.NOT_BOOLEAN),
        Arguments.of(
            "bytes that are not UTF-8 are not a boolean",
            new byte[] {(byte) 0xff},
            PydanticValues.NOT_BOOLEAN),
        Arguments.of("null is not a boolean", null, PydanticValues.NOT_NULL));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notBooleans")
  void boolRefusesWhatPydanticRefuses(String sentence, Object value, String message) {
    assertEquals(
        message,
        assertThrows(PydanticValues.Refused.class, () -> PydanticValues.bool(value)).getMessage());
  }

  static Stream<Arguments> strings() {
    return Stream.of(
        Arguments.of("a string is kept as it is", "main", "main"),
        Arguments.of("the empty string is kept", "", ""),
        Arguments.of("a string with spaces is not trimmed", " a ", " a "),
        Arguments.of("the integer 5 is \"5\"", 5, "5"),
        Arguments.of("the long -7 is \"-7\"", -7L, "-7"),
        Arguments.of(
            "a big integer is written in full",
            new BigInteger("100000000000000000000"),
            "100000000000000000000"),
        Arguments.of("JSON true is \"True\", since a Python bool is an int", true, "True"),
        Arguments.of("JSON false is \"False\"", false, "False"),
        Arguments.of("the float 1.0 is \"1.0\"", 1.0, "1.0"),
        Arguments.of("the float 1.5 is \"1.5\"", 1.5, "1.5"),
        Arguments.of("the float 100.0 is \"100.0\"", 100.0, "100.0"),
        Arguments.of("the float -1.5 is \"-1.5\"", -1.5, "-1.5"),
        Arguments.of("the float -0.0 is \"-0.0\"", -0.0, "-0.0"),
        Arguments.of("the float 0.1 is \"0.1\": the shortest digits", 0.1, "0.1"),
        Arguments.of("a third is written with sixteen digits", 1.0 / 3, "0.3333333333333333"),
        Arguments.of("1e15 is still written out in full", 1e15, "1000000000000000.0"),
        Arguments.of(
            "9999999999999998.0 is still written out in full",
            9999999999999998.0,
            "9999999999999998.0"),
        Arguments.of("2**53 is written out in full", 9007199254740992.0, "9007199254740992.0"),
        Arguments.of("1e16 takes an exponent", 1e16, "1e+16"),
        Arguments.of(
            "12345678901234567.0 takes an exponent", 12345678901234567.0, "1.2345678901234568e+16"),
        Arguments.of("1e22 is \"1e+22\"", 1e22, "1e+22"),
        Arguments.of("2e23 is \"2e+23\": the shortest digits, not Java's", 2e23, "2e+23"),
        Arguments.of("8.41e21 is \"8.41e+21\"", 8.41e21, "8.41e+21"),
        Arguments.of("0.0001 is still written out", 0.0001, "0.0001"),
        Arguments.of("0.00001 takes a two-digit exponent", 0.00001, "1e-05"),
        Arguments.of(
            "1.2345678901234567e-7 is \"1.2345678901234566e-07\"",
            1.2345678901234567e-7,
            "1.2345678901234566e-07"),
        Arguments.of("123456789.123 is written out", 123456789.123, "123456789.123"),
        Arguments.of("the smallest double is \"5e-324\"", Double.MIN_VALUE, "5e-324"),
        Arguments.of(
            "the largest double is \"1.7976931348623157e+308\"",
            Double.MAX_VALUE,
            "1.7976931348623157e+308"),
        Arguments.of(
            "infinity is \"inf\" (json.loads reads 1e400 so)", Double.POSITIVE_INFINITY, "inf"),
        Arguments.of("minus infinity is \"-inf\"", Double.NEGATIVE_INFINITY, "-inf"),
        Arguments.of("NaN is \"nan\"", Double.NaN, "nan"),
        Arguments.of("a Java float is the double it widens to", 0.1f, "0.10000000149011612"),
        Arguments.of(
            "a big decimal is the Python float json.loads would make",
            new BigDecimal("1.10"),
            "1.1"),
        Arguments.of("UTF-8 bytes are decoded", "é".getBytes(StandardCharsets.UTF_8), "é"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strings")
  void strTakesWhatPydanticTakes(String sentence, Object value, String expected) {
    assertEquals(expected, PydanticValues.str(value));
  }

  static Stream<Arguments> notStrings() {
    return Stream.of(
        Arguments.of("null is not a string", null, PydanticValues.NOT_NULL),
        Arguments.of("an array is not a string", List.of("main"), PydanticValues.NOT_STRING),
        Arguments.of("an object is not a string", Map.of("a", "b"), PydanticValues.NOT_STRING),
        Arguments.of(
            "bytes that are not UTF-8 are not a string",
            new byte[] {(byte) 0xc3},
            PydanticValues.NOT_STRING),
        Arguments.of(
            "an integer of 4301 digits has no text (Python's limit)",
            BigInteger.TEN.pow(4300),
            "must be a string (an integer of more than 4300 digits has no text)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notStrings")
  void strRefusesWhatPydanticRefuses(String sentence, Object value, String message) {
    assertEquals(
        message,
        assertThrows(PydanticValues.Refused.class, () -> PydanticValues.str(value)).getMessage());
  }

  static Stream<Arguments> stringLists() {
    return Stream.of(
        Arguments.of(
            "a list of strings is kept", List.of(".rego", ".json"), List.of(".rego", ".json")),
        Arguments.of("an empty list is kept", List.of(), List.of()),
        Arguments.of(
            "numbers and booleans in a list become their text",
            Arrays.asList(1, 2.5, false),
            List.of("1", "2.5", "False")),
        Arguments.of(
            "a set is a sequence too", new LinkedHashSet<>(List.of("a", "b")), List.of("a", "b")),
        Arguments.of("an array is a sequence too", new Object[] {"a", 1}, List.of("a", "1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stringLists")
  void strListTakesWhatPydanticTakes(String sentence, Object value, List<String> expected) {
    assertEquals(expected, PydanticValues.strList(value));
  }

  static Stream<Arguments> notStringLists() {
    return Stream.of(
        Arguments.of("a bare string is not a list", ".rego", "f", PydanticValues.NOT_LIST),
        Arguments.of("an object is not a list", Map.of("a", "b"), "f", PydanticValues.NOT_LIST),
        Arguments.of("a number is not a list", 1, "f", PydanticValues.NOT_LIST),
        Arguments.of("null is not a list", null, "f", PydanticValues.NOT_NULL),
        Arguments.of(
            "a null item is refused by its index",
            Arrays.asList("a", null),
            "f[1]",
            PydanticValues.NOT_NULL),
        Arguments.of(
            "a nested list item is refused by its index",
            List.of(List.of("a")),
            "f[0]",
            PydanticValues.NOT_STRING),
        Arguments.of(
            "an object item is refused by its index",
            List.of("a", "b", Map.of()),
            "f[2]",
            PydanticValues.NOT_STRING));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notStringLists")
  void strListRefusesWhatPydanticRefuses(
      String sentence, Object value, String field, String message) {
    PydanticValues.Refused e =
        assertThrows(PydanticValues.Refused.class, () -> PydanticValues.strList(value));
    assertEquals(field, e.field("f"));
    assertEquals(message, e.getMessage());
  }

  static Stream<Arguments> literals() {
    return Stream.of(
        Arguments.of("a listed name is taken", "ssh", null),
        Arguments.of(
            "a name in another case is refused",
            "NONE",
            "must be one of none, github_token, userpass, ssh"),
        Arguments.of(
            "a number is refused, not coerced",
            5,
            "must be one of none, github_token, userpass, ssh"),
        Arguments.of(
            "JSON true is refused", true, "must be one of none, github_token, userpass, ssh"),
        Arguments.of("null is refused", null, PydanticValues.NOT_NULL));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("literals")
  void literalIsAnExactMatch(String sentence, Object value, String message) {
    if (message == null) {
      assertEquals(value, PydanticValues.literal(value, AUTH_TYPES));
    } else {
      assertEquals(
          message,
          assertThrows(
                  PydanticValues.Refused.class, () -> PydanticValues.literal(value, AUTH_TYPES))
              .getMessage());
    }
  }
}
