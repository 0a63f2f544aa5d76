package dev.scopesync.pubsub;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * JSON text exactly as Python's {@code json.dumps} writes it with its defaults, which is what OPAL
 * server's pydantic models send: {@code ", "} and {@code ": "} separators, {@code null}s kept,
 * every character outside printable ASCII escaped as a lowercase {@code \\uXXXX} ({@code
 * ensure_ascii}), floats as Python's {@code repr}. Jackson cannot be told these rules (its escapes
 * are upper case and it leaves DEL and non-ASCII alone), and an OPAL client's wire trace should
 * read the same against either server. The output is pure ASCII, so its length in chars is its
 * length in bytes.
 *
 * <p>Stateless; thread-safe.
 */
public final class PythonJson {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private PythonJson() {}

  /** A JSON value (Vert.x's JSON types, maps, lists, strings, numbers, booleans, null) as text. */
  public static String encode(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }

  /** Appends a JSON value to {@code out}. */
  public static void write(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      string(out, s);
    } else if (value instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (value instanceof Double || value instanceof Float) {
      out.append(pythonFloat(((Number) value).doubleValue()));
    } else if (value instanceof BigDecimal d) {
      out.append(d.toString());
    } else if (value instanceof Number n) {
      out.append(n.toString());
    } else if (value instanceof JsonObject o) {
      object(out, o.getMap());
    } else if (value instanceof Map<?, ?> m) {
      object(out, m);
    } else if (value instanceof JsonArray a) {
      array(out, a.getList());
    } else if (value instanceof List<?> l) {
      array(out, l);
    } else {
      string(out, value.toString());
    }
  }

  private static void object(StringBuilder out, Map<?, ?> map) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!first) {
        out.append(", ");
      }
      first = false;
      string(out, String.valueOf(e.getKey()));
      out.append(": ");
      write(out, e.getValue());
    }
    out.append('}');
  }

  private static void array(StringBuilder out, List<?> list) {
    out.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      write(out, list.get(i));
    }
    out.append(']');
  }

  /**
   * Python's {@code ensure_ascii} string: short escapes for five controls, {@code \\u00XX} for the
   * rest.
   */
  static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c >= 0x7f) {
            out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /**
   * Python's {@code repr(float)}: positional notation when the decimal exponent is from -4 to 15
   * ({@code 0.0001}, {@code 1e+16}), always with a fractional part or an exponent ({@code 1.0}).
   */
  static String pythonFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    String sign = (d < 0 || (d == 0 && 1 / d < 0)) ? "-" : "";
    if (d == 0) {
      return sign + "0.0";
    }
    BigDecimal exact = shortest(Math.abs(d));
    String digits = exact.unscaledValue().toString();
    int exponent = digits.length() - 1 - exact.scale();
    StringBuilder out = new StringBuilder(sign);
    if (exponent < -4 || exponent >= 16) {
      out.append(digits.charAt(0));
      if (digits.length() > 1) {
        out.append('.').append(digits, 1, digits.length());
      }
      out.append('e').append(exponent < 0 ? '-' : '+');
      int magnitude = Math.abs(exponent);
      if (magnitude < 10) {
        out.append('0');
      }
      return out.append(magnitude).toString();
    }
    if (exponent < 0) {
      out.append("0.");
      out.append("0".repeat(-exponent - 1)).append(digits);
    } else if (exponent >= digits.length() - 1) {
      out.append(digits).append("0".repeat(exponent - digits.length() + 1)).append(".0");
    } else {
      out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
    }
    return out.toString();
  }

  /**
   * The shortest decimal that reads back as {@code d}, the nearest one when several are as short:
   * the digits of Python's {@code repr}. Java 17's {@code Double.toString} sometimes gives more
   * digits than needed ({@code 4.9E-324} for {@code 5e-324}; fixed only in Java 19).
   */
  private static BigDecimal shortest(double d) {
    BigDecimal exact = new BigDecimal(d);
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal best = null;
      for (RoundingMode mode :
          new RoundingMode[] {RoundingMode.HALF_EVEN, RoundingMode.FLOOR, RoundingMode.CEILING}) {
        BigDecimal candidate = exact.round(new MathContext(precision, mode));
        if (candidate.doubleValue() == d
            && (best == null
                || candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
          best = candidate;
        }
      }
      if (best != null) {
        return best.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }
}
