package dev.scopesync.bundle;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The pieces of Python's text handling OPAL leans on when it reads policy files: {@code
 * bytes.decode("utf-8")}, {@code str.splitlines()} and the {@code \s} class of {@code re}.
 */
final class PythonText {

  private PythonText() {}

  /**
   * {@code content.decode("utf-8")}: strict, so malformed input fails instead of being replaced,
   * and a byte order mark stays in the text.
   */
  static String decodeUtf8(byte[] content) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(content))
        .toString();
  }

  /**
   * {@code text.splitlines()}: {@code \n}, {@code \r}, {@code \r\n}, {@code \v}, {@code \f}, the
   * file/group/record separators, NEL, and the Unicode line and paragraph separators all end a
   * line; a final line break does not start an empty line.
   */
  static List<String> splitLines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (isLineBreak(c)) {
        lines.add(text.substring(start, i));
        i += (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') ? 2 : 1;
        start = i;
      } else {
        i++;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }

  /**
   * {@code str.isspace()} for one code point, which is what {@code \s} matches in Python's {@code
   * re}.
   */
  static boolean isWhitespace(int codePoint) {
    switch (codePoint) {
      case '\t',
      '\n',
      0x0B,
      '\f',
      '\r',
      0x1C,
      0x1D,
      0x1E,
      0x1F,
      ' ',
      0x85,
      0xA0,
      0x1680,
      0x2028,
      0x2029,
      0x202F,
      0x205F,
      0x3000:
        return true;
      default:
        return codePoint >= 0x2000 && codePoint <= 0x200A;
    }
  }

  private static boolean isLineBreak(char c) {
    switch (c) {
      case '\n', '\r', 0x0B, '\f', 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
        return true;
      default:
        return false;
    }
  }
}
