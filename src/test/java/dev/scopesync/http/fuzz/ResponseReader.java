package dev.scopesync.http.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads the HTTP/1.x responses a connection carries back, framed as RFC 9112 §6.3 says, so that
 * pipelined answers are counted right: interim 1xx answers are noted and skipped (101 ends the HTTP
 * part of the connection), no body after HEAD, 1xx, 204 and 304, else a chunked body, a
 * Content-Length body, or the rest of the stream. Whatever does not parse is reported, not guessed
 * at.
 */
public final class ResponseReader {
  /** One response. */
  public record Response(
      String version,
      int status,
      String reason,
      List<String[]> headers,
      byte[] body,
      boolean truncated) {
    public String header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h[1];
        }
      }
      return null;
    }

    public int headerCount(String name) {
      int n = 0;
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          n++;
        }
      }
      return n;
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      StringBuilder head = new StringBuilder(version + " " + status + " " + reason);
      for (String[] h : headers) {
        head.append("\\r\\n").append(h[0]).append(": ").append(h[1]);
      }
      return head
          + " | body: "
          + Escaped.head(body, 300)
          + (truncated ? " (truncated: the server closed mid-body)" : "");
    }
  }

  /**
   * What came back on one connection.
   *
   * @param responses the final responses, in order (a 101 included)
   * @param interim the 1xx statuses other than 101, in order
   * @param closed whether the server closed (or reset) the connection
   * @param timedOut whether it went silent without closing
   * @param error why the bytes did not parse as responses, or null
   * @param raw every byte received
   */
  public record Result(
      List<Response> responses,
      List<Integer> interim,
      boolean closed,
      boolean timedOut,
      String error,
      byte[] raw) {
    public String describe() {
      return "closed="
          + closed
          + " timedOut="
          + timedOut
          + (error == null ? "" : " parse error: " + error)
          + "\n  received ("
          + raw.length
          + " bytes): "
          + Escaped.head(raw, 4000);
    }
  }

  private final InputStream in;
  private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
  private boolean eof;
  private boolean timedOut;

  /** Whether the last body was read up to the close (nothing can follow it). */
  private boolean closeDelimited;

  private final byte[] one = new byte[8192];
  private int pos;
  private int limit;

  private ResponseReader(InputStream in) {
    this.in = in;
  }

  /**
   * @param methods the request methods in order (responses beyond them are taken as answers to GET)
   * @param untilClose read until the server closes; else stop after {@code methods.size()}
   *     responses
   */
  public static Result read(InputStream in, List<String> methods, boolean untilClose) {
    return new ResponseReader(in).readAll(methods, untilClose);
  }

  private Result readAll(List<String> methods, boolean untilClose) {
    List<Response> responses = new ArrayList<>();
    List<Integer> interim = new ArrayList<>();
    String error = null;
    try {
      while (untilClose || responses.size() < methods.size()) {
        String statusLine = line(true);
        if (statusLine == null) {
          break; // closed between responses
        }
        // HTTP/1.x, or another version Netty echoes from a request line it took (HTTP/9.9): the
        // caller judges the version, the framing is HTTP/1.1's either way.
        if (!statusLine.matches("(?s)HTTP/\\d\\.\\d \\d{3}( .*)?")) {
          error =
              "not a status line: " + Escaped.of(statusLine.getBytes(StandardCharsets.ISO_8859_1));
          drain();
          break;
        }
        int status;
        try {
          status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
          error = "bad status code: " + statusLine;
          drain();
          break;
        }
        String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
        List<String[]> headers = new ArrayList<>();
        boolean headersDone = false;
        while (true) {
          String header = line(false);
          if (header == null) {
            break;
          }
          if (header.isEmpty()) {
            headersDone = true;
            break;
          }
          int colon = header.indexOf(':');
          if (colon <= 0) {
            error = "bad header line: " + Escaped.of(header.getBytes(StandardCharsets.ISO_8859_1));
            break;
          }
          headers.add(
              new String[] {header.substring(0, colon).trim(), header.substring(colon + 1).trim()});
        }
        if (error != null) {
          drain();
          break;
        }
        if (!headersDone) {
          responses.add(
              new Response(statusLine.substring(0, 8), status, reason, headers, new byte[0], true));
          break;
        }
        if (status >= 100 && status < 200 && status != 101) {
          interim.add(status);
          continue;
        }
        String method = responses.size() < methods.size() ? methods.get(responses.size()) : "?";
        Response response = body(statusLine.substring(0, 8), status, reason, headers, method);
        responses.add(response);
        if (response.truncated() || status == 101) {
          break; // 101: the rest is another protocol's
        }
        if (closeDelimited) {
          break; // a body delimited by the close: read already
        }
      }
      if (untilClose
          && error == null
          && !eof
          && !timedOut
          && !responses.isEmpty()
          && responses.get(responses.size() - 1).status() != 101) {
        // Anything after the last response that is not the close itself is worth seeing.
        int b = next();
        if (b >= 0) {
          error = "bytes after the last response";
          drain();
        }
      }
    } catch (IOException e) {
      error = "reading: " + e;
    }
    return new Result(responses, interim, eof, timedOut, error, raw.toByteArray());
  }

  private static boolean noBody(int status, String method) {
    return "HEAD".equals(method) || status < 200 || status == 204 || status == 304;
  }

  private Response body(
      String version, int status, String reason, List<String[]> headers, String method)
      throws IOException {
    Response head = new Response(version, status, reason, headers, new byte[0], false);
    if (noBody(status, method) || status == 101) {
      return head;
    }
    if ("?".equals(method) && headOnly()) {
      // Unknown method: a HEAD's answer (with or without a length) is followed at once by the next
      // answer or the close; any other answer by its body.
      return head;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String te = head.header("Transfer-Encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).trim().endsWith("chunked")) {
      while (true) {
        String sizeLine = line(false);
        if (sizeLine == null) {
          return new Response(version, status, reason, headers, body.toByteArray(), true);
        }
        int semicolon = sizeLine.indexOf(';');
        String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
        int size;
        try {
          size = Integer.parseInt(hex, 16);
        } catch (NumberFormatException e) {
          throw new IOException(
              "bad chunk size line: " + Escaped.of(sizeLine.getBytes(StandardCharsets.ISO_8859_1)));
        }
        if (size == 0) {
          String trailer;
          while ((trailer = line(false)) != null && !trailer.isEmpty()) {
            // trailers: ignored
          }
          return new Response(
              version, status, reason, headers, body.toByteArray(), trailer == null);
        }
        if (!copy(body, size)) {
          return new Response(version, status, reason, headers, body.toByteArray(), true);
        }
        String crlf = line(false);
        if (crlf == null) {
          return new Response(version, status, reason, headers, body.toByteArray(), true);
        }
        if (!crlf.isEmpty()) {
          throw new IOException("chunk not followed by CRLF");
        }
      }
    }
    String length = head.header("Content-Length");
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length in a response: " + length);
      }
      boolean whole = copy(body, n);
      return new Response(version, status, reason, headers, body.toByteArray(), !whole);
    }
    // Delimited by the close.
    closeDelimited = true;
    int b;
    while ((b = next()) >= 0) {
      body.write(b);
    }
    return new Response(version, status, reason, headers, body.toByteArray(), timedOut);
  }

  /**
   * Whether what follows is the end of the stream or another status line (looks ahead, consumes
   * nothing).
   */
  private boolean headOnly() throws IOException {
    byte[] ahead = peek(5);
    return ahead.length == 0 || new String(ahead, StandardCharsets.ISO_8859_1).equals("HTTP/");
  }

  /** Up to {@code n} next bytes, fewer only at the end of the stream or a timeout. */
  private byte[] peek(int n) throws IOException {
    while (limit - pos < n && !eof && !timedOut) {
      // Keep what is buffered at the front, then read more behind it.
      System.arraycopy(one, pos, one, 0, limit - pos);
      limit -= pos;
      pos = 0;
      try {
        int read = in.read(one, limit, one.length - limit);
        if (read < 0) {
          eof = true;
        } else {
          raw.write(one, limit, read);
          limit += read;
        }
      } catch (SocketTimeoutException e) {
        timedOut = true;
      } catch (SocketException e) {
        eof = true;
      }
    }
    return Arrays.copyOfRange(one, pos, Math.min(limit, pos + n));
  }

  private boolean copy(ByteArrayOutputStream to, long n) throws IOException {
    for (long i = 0; i < n; i++) {
      int b = next();
      if (b < 0) {
        return false;
      }
      to.write(b);
    }
    return true;
  }

  /**
   * One line without its CRLF (or bare LF), ISO-8859-1; null at the end of the stream (also in the
   * middle of a line: the line was cut).
   */
  private String line(boolean skipLeadingBlank) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = next();
      if (b < 0) {
        return null;
      }
      if (b == '\n') {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
          line.setLength(end - 1);
        }
        if (skipLeadingBlank && line.length() == 0) {
          continue;
        }
        return line.toString();
      }
      line.append((char) b);
      if (line.length() > 65536) {
        throw new IOException("a response line over 64 KB");
      }
    }
  }

  private void drain() throws IOException {
    while (next() >= 0) {
      // keep for the report
    }
  }

  private int next() throws IOException {
    if (pos < limit) {
      return one[pos++] & 0xff;
    }
    if (eof || timedOut) {
      return -1;
    }
    try {
      int n = in.read(one);
      if (n < 0) {
        eof = true;
        return -1;
      }
      raw.write(one, 0, n);
      pos = 0;
      limit = n;
      return one[pos++] & 0xff;
    } catch (SocketTimeoutException e) {
      timedOut = true;
      return -1;
    } catch (SocketException e) {
      eof = true; // reset by the server: closed
      return -1;
    }
  }
}
