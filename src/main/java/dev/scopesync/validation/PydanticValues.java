package dev.scopesync.validation;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scalar coercions exactly as pydantic v1 (the 1.x line OPAL pins: {@code pydantic>=1.9.1,<2};
 * checked against 1.10.26, {@code pydantic/v1/validators.py}) applies them to a value decoded from
 * JSON. Python's {@code json.loads} and Vert.x's decoder agree on what a JSON value is (object,
 * array, string, integer of any size, double, true/false, null), so a value here is a {@link
 * String}, a {@link Boolean}, a {@link Number}, a {@link Collection} (an array), a {@link Map} (an
 * object) or {@code null}; {@code byte[]} stands for Python's {@code bytes}.
 *
 * <table>
 *   <caption>What each validator accepts</caption>
 *   <tr><th>pydantic v1</th><th>accepts</th><th>refuses</th></tr>
 *   <tr><td>{@code bool_validator} ({@link #bool})</td>
 *       <td>{@code true}/{@code false}; numbers equal to 0 or 1 ({@code 0}, {@code 1}, {@code 1.0},
 *       {@code -0.0}); strings and bytes whose lower case is one of {@code 0 off f false n no}
 *       (false) or {@code 1 on t true y yes} (true) — no trimming</td>
 *       <td>any other number ({@code 2}), any other string ({@code "maybe"}, {@code " yes"},
 *       {@code ""}), arrays, objects</td></tr>
 *   <tr><td>{@code str_validator}, non-strict ({@link #str})</td>
 *       <td>strings as they are; integers, floats and booleans (a Python {@code bool} is an
 *       {@code int}) as Python's {@code str()} writes them: {@code 5 → "5"},
 *       {@code 1.0 → "1.0"}, {@code 1e16 → "1e+16"}, {@code 0.00001 → "1e-05"},
 *       {@code true → "True"}; UTF-8 bytes decoded</td>
 *       <td>arrays, objects, integers of more than 4300 digits (Python's conversion limit),
 *       bytes that are not UTF-8</td></tr>
 *   <tr><td>{@code List[str]} ({@link #strList})</td>
 *       <td>an array (pydantic: list, tuple, set, frozenset, deque, generator), each item as
 *       {@code str_validator} takes it</td>
 *       <td>anything else, a bare string included; a {@code null} item (the item type is not
 *       {@code Optional})</td></tr>
 *   <tr><td>{@code Literal[...]} / a discriminator ({@link #literal})</td>
 *       <td>exactly one of the listed strings (a dict lookup: no case folding, no coercion)</td>
 *       <td>everything else</td></tr>
 * </table>
 *
 * {@code null} is refused by every method here: whether a field may be {@code null} (it is {@code
 * Optional[...]}, or its default is {@code None}) is the caller's decision, taken before calling.
 * Messages never contain the value, so a secret field can be checked safely.
 */
public final class PydanticValues {
  /**
   * Python refuses {@code str()} of an int with more digits than this (CPython's default limit).
   */
  public static final int MAX_STR_INT_DIGITS = 4300;

  private static final Set<String> BOOL_FALSE = Set.of("0", "off", "f", "false", "n", "no");
  private static final Set<String> BOOL_TRUE = Set.of("1", "on", "t", "true", "y", "yes");

  public static final String NOT_NULL = "must not be null";
  public static final String NOT_BOOLEAN =
      "must be a boolean (true/false, 0/1, or one of the strings true/false, yes/no, on/off, t/f, y/n, 1/0)";
  public static final String NOT_STRING = "must be a string (a number is taken as its text)";
  public static final String NOT_LIST = "must be a list";

  private PydanticValues() {}

  /** A value pydantic v1 refuses; {@link #item()} is the index inside a list, or -1. */
  public static final class Refused extends IllegalArgumentException {
    private final int item;

    public Refused(String problem) {
      this(problem, -1);
    }

    private Refused(String problem, int item) {
      super(problem);
      this.item = item;
    }

    /** The index of the offending item of a list, or -1 when the value itself is at fault. */
    public int item() {
      return item;
    }

    /** The field's name as a message names it: {@code field} or {@code field[i]}. */
    public String field(String field) {
      return item < 0 ? field : field + "[" + item + "]";
    }
  }

  /** pydantic v1 {@code bool_validator}. */
  public static boolean bool(Object value) {
    if (value == null) {
      throw new Refused(NOT_NULL);
    }
    if (value instanceof Boolean b) {
      return b;
    }
    Object v = value instanceof byte[] bytes ? utf8(bytes, NOT_BOOLEAN) : value;
    if (v instanceof String s) {
      String lower = s.toLowerCase(Locale.ROOT);
      if (BOOL_TRUE.contains(lower)) {
        return true;
      }
      if (BOOL_FALSE.contains(lower)) {
        return false;
      }
      throw new Refused(NOT_BOOLEAN);
    }
    if (v instanceof Number n) {
      // `v in {0, 1, ...}`: Python's numeric equality, so 1.0 and -0.0 match too
      int zeroOrOne = zeroOrOne(n);
      if (zeroOrOne >= 0) {
        return zeroOrOne == 1;
      }
    }
    throw new Refused(NOT_BOOLEAN);
  }

  /**
   * pydantic v1 {@code str_validator} (not {@code strict_str_validator}, which OPAL does not use).
   */
  public static String str(Object value) {
    if (value == null) {
      throw new Refused(NOT_NULL);
    }
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (value instanceof Number n) {
      return pythonStr(n);
    }
    if (value instanceof byte[] bytes) {
      return utf8(bytes, NOT_STRING);
    }
    throw new Refused(NOT_STRING);
  }

  /** {@code List[str]}: an array whose every item {@link #str} takes. */
  public static List<String> strList(Object value) {
    List<?> items = sequence(value);
    List<String> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      try {
        out.add(str(items.get(i)));
      } catch (Refused e) {
        throw new Refused(e.getMessage(), i);
      }
    }
    return out;
  }

  /**
   * pydantic v1's sequence shapes ({@code sequence_like}): an array; a string, an object or a
   * number is refused. Vert.x's {@code JsonArray} is passed as its {@code getList()}.
   */
  public static List<?> sequence(Object value) {
    if (value == null) {
      throw new Refused(NOT_NULL);
    }
    if (value instanceof List<?> list) {
      return list;
    }
    if (value instanceof Collection<?> collection) {
      return new ArrayList<>(collection);
    }
    if (value instanceof Object[] array) {
      return Arrays.asList(array);
    }
    throw new Refused(NOT_LIST);
  }

  /** {@code Literal["a", "b"]} (and a discriminator's lookup): exactly one of {@code choices}. */
  public static String literal(Object value, List<String> choices) {
    if (value instanceof String s && choices.contains(s)) {
      return s;
    }
    throw new Refused(value == null ? NOT_NULL : "must be one of " + String.join(", ", choices));
  }

  /** Python's {@code str()} of a JSON number: an int exactly, a float as {@link #pythonFloat}. */
  public static String pythonStr(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return Long.toString(n.longValue());
    }
    if (n instanceof BigInteger big) {
      String text = big.toString();
      if (text.length() - (big.signum() < 0 ? 1 : 0) > MAX_STR_INT_DIGITS) {
        throw new Refused(
            "must be a string (an integer of more than "
                + MAX_STR_INT_DIGITS
                + " digits has no text)");
      }
      return text;
    }
    // Double, Float, BigDecimal: json.loads makes every non-integer number a Python float
    return pythonFloat(n.doubleValue());
  }

  /**
   * Python's {@code repr(float)} (= {@code str(float)}): the shortest digits that read back as the
   * same double (the nearest such when several), fixed notation for decimal exponents from -4 to 16
   * ({@code 0.0001}, {@code 1e+16} beyond), {@code .0} on whole numbers, a two-digit signed
   * exponent; {@code inf}, {@code -inf}, {@code nan}.
   */
  public static String pythonFloat(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    String sign = (Double.doubleToRawLongBits(d) < 0) ? "-" : "";
    double abs = Math.abs(d);
    if (abs == 0.0) {
      return sign + "0.0";
    }
    BigDecimal shortest = shortest(abs);
    String digits = shortest.unscaledValue().toString();
    int decpt = digits.length() - shortest.scale(); // value = 0.<digits> x 10^decpt
    StringBuilder out = new StringBuilder(sign);
    if (decpt <= -4 || decpt > 16) {
      out.append(digits.charAt(0));
      if (digits.length() > 1) {
        out.append('.').append(digits, 1, digits.length());
      }
      int exponent = decpt - 1;
      out.append('e').append(exponent < 0 ? '-' : '+');
      int magnitude = Math.abs(exponent);
      if (magnitude < 10) {
        out.append('0');
      }
      out.append(magnitude);
    } else if (decpt <= 0) {
      out.append("0.").append("0".repeat(-decpt)).append(digits);
    } else if (decpt >= digits.length()) {
      out.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
    } else {
      out.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
    }
    return out.toString();
  }

  /** The shortest decimal reading back as {@code abs} (> 0, finite), nearest among the shortest. */
  private static BigDecimal shortest(double abs) {
    BigDecimal exact = new BigDecimal(abs);
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal down = exact.round(new MathContext(precision, RoundingMode.FLOOR));
      BigDecimal up = exact.round(new MathContext(precision, RoundingMode.CEILING));
      boolean downOk = down.doubleValue() == abs;
      boolean upOk = up.doubleValue() == abs;
      BigDecimal chosen = null;
      if (downOk && upOk) {
        int cmp = exact.subtract(down).compareTo(up.subtract(exact));
        chosen =
            cmp < 0
                ? down
                : cmp > 0 ? up : exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      } else if (downOk) {
        chosen = down;
      } else if (upOk) {
        chosen = up;
      }
      if (chosen != null) {
        return chosen.stripTrailingZeros();
      }
    }
    return exact
        .round(MathContext.DECIMAL64)
        .stripTrailingZeros(); // unreachable: 17 digits always read back
  }

  /** 0 or 1 when {@code n} equals that number as Python compares numbers, else -1. */
  private static int zeroOrOne(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      long l = n.longValue();
      return l == 0 ? 0 : l == 1 ? 1 : -1;
    }
    if (n instanceof BigInteger big) {
      return big.signum() == 0 ? 0 : big.equals(BigInteger.ONE) ? 1 : -1;
    }
    double d = n.doubleValue(); // a Python float, as json.loads made it
    return d == 0.0 ? 0 : d == 1.0 ? 1 : -1;
  }

  /** Python's {@code bytes.decode()}: strict UTF-8. */
  private static String utf8(byte[] bytes, String problem) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Refused(problem);
    }
  }
}
