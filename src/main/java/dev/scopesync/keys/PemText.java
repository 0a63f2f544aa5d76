package dev.scopesync.keys;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM armour: finds the {@code -----BEGIN X-----}…{@code -----END X-----} blocks in a key's text
 * and decodes their base64, and writes a block. What the bytes mean is for the caller.
 *
 * <p>The one thing a caller must know: a block is found only when its END line names the same label
 * as its BEGIN line; text around the blocks is ignored. Stateless; thread-safe.
 */
public final class PemText {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final Base64.Encoder LINES = Base64.getMimeEncoder(64, new byte[] {'\n'});

  /**
   * One block, as found.
   *
   * @param label what BEGIN and END name, e.g. {@code PRIVATE KEY}
   * @param body the text between the two lines, headers included
   * @param start where the BEGIN line starts in the text searched
   * @param end where the END line ends
   */
  public record Block(String label, String body, int start, int end) {
    /**
     * Whether the body has RFC 1421 headers ({@code Proc-Type}, {@code DEK-Info}): a legacy
     * encrypted PEM.
     */
    public boolean hasHeaders() {
      return body.indexOf(':') >= 0;
    }

    /** The value of header {@code name}, or null. */
    public String header(String name) {
      for (String line : body.split("\\R|\\\\n|_")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).strip();
        }
      }
      return null;
    }

    /**
     * The base64 of the body (after any headers) decoded. One-line forms are read too: {@code \n}
     * written out as backslash-n, and {@code _} for newlines (OPAL's convention for keys in
     * variables).
     *
     * @throws IllegalArgumentException "not base64", quoting nothing
     */
    public byte[] bytes() {
      StringBuilder base64 = new StringBuilder();
      for (String line : body.split("\\R|\\\\n|\\\\r|_")) {
        if (line.indexOf(':') < 0) {
          base64.append(line);
        }
      }
      try {
        return Base64.getDecoder().decode(base64.toString().replaceAll("\\s", ""));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not base64");
      }
    }

    @Override
    public String toString() {
      return "PemText.Block[" + label + "]";
    }
  }

  private PemText() {}

  /** Every block of {@code text}, in order; empty when there is none. */
  public static List<Block> blocks(String text) {
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      blocks.add(new Block(m.group(1), m.group(2), m.start(), m.end()));
    }
    return blocks;
  }

  /** Whether {@code text} has a BEGIN line at all. */
  public static boolean hasBeginLine(String text) {
    return text.contains("-----BEGIN");
  }

  /**
   * OPAL's {@code maybe_decode_multiline_key}: a key written on one line with {@code _} for every
   * newline is given back with its newlines; text that has a newline is given back as it is.
   */
  public static String fromOneLine(String text) {
    return text.indexOf('\n') < 0 ? text.replace('_', '\n') : text;
  }

  /** {@code der} as a PEM block: 64-column base64 lines, each line ending in {@code \n}. */
  public static String write(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + LINES.encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}
