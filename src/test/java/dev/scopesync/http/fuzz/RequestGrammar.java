package dev.scopesync.http.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * A grammar of raw HTTP/1.x requests against scopesync's edge (DESIGN §6, §15): request lines
 * (methods, every route's target with percent-junk, absolute- and authority-form, versions), header
 * sets (Host, Content-Type, framing, Expect, obs-fold, non-ASCII, oversized and many headers,
 * Connection, Authorization, webhook and WebSocket headers), bodies (JSON that is never a valid
 * scope, forms, multipart, bytes) and connection shapes (one request, pipelines of 2–4, HTTP/1.0,
 * cut short, junk).
 *
 * <p>Case {@code i} of seed {@code s} is drawn from {@code new Random(s * 1_000_003 + i)} alone, so
 * it replays from {@code (s, i)}. Two rules keep the server's state as it was: nothing deletes
 * {@code victim} (no DELETE or PUT whose target, percent-decoded, names it: such a case is drawn
 * again from the same stream), and every JSON object that carries a {@code policy} carries an
 * {@code ftp://} url in it (a scheme the test node does not allow), so no PUT creates a scope.
 */
public final class RequestGrammar {
  private static final String[] METHODS = {
    "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "CONNECT"
  };

  /** A route and the method it answers, with the kind of body it reads. */
  private record Route(String method, String target, Body body) {}

  private enum Body {
    NONE,
    SCOPE,
    DATA_UPDATE,
    WEBHOOK,
    REFRESH
  }

  private static final List<Route> ROUTES =
      List.of(
          new Route("PUT", "/scopes", Body.SCOPE),
          new Route("PUT", "/scopes?force_fetch=true", Body.SCOPE),
          new Route("PUT", "/scopes?force_fetch=maybe", Body.SCOPE),
          new Route("GET", "/scopes", Body.NONE),
          new Route("GET", "/scopes?limit=2", Body.NONE),
          new Route("GET", "/scopes?limit=-1&after=%zz", Body.NONE),
          new Route("GET", "/scopes?limit=abc&after=", Body.NONE),
          new Route("GET", "/scopes/victim", Body.NONE),
          new Route("GET", "/scopes/victim/policy", Body.NONE),
          new Route("GET", "/scopes/victim/policy?base_hash=", Body.NONE),
          new Route("GET", "/scopes/victim/bundle.tar.gz", Body.NONE),
          new Route("GET", "/scopes/victim/data", Body.NONE),
          new Route("POST", "/scopes/victim/data/update", Body.DATA_UPDATE),
          new Route("POST", "/scopes/victim/refresh", Body.REFRESH),
          new Route("POST", "/scopes/victim/refresh?hinted_hash=", Body.REFRESH),
          new Route("POST", "/scopes/refresh", Body.REFRESH),
          new Route("POST", "/scopes/ghost/refresh", Body.REFRESH),
          new Route("POST", "/scopes/ghost/data/update", Body.DATA_UPDATE),
          new Route("POST", "/webhook", Body.WEBHOOK),
          new Route("POST", "/webhook", Body.WEBHOOK),
          new Route("GET", "/healthz", Body.NONE),
          new Route("GET", "/ready", Body.NONE),
          new Route("GET", "/metrics", Body.NONE),
          new Route("GET", "/openapi.json", Body.NONE),
          new Route("GET", "/ws", Body.NONE),
          new Route("GET", "/policy", Body.NONE),
          new Route("GET", "/data/config", Body.NONE),
          new Route("GET", "/healthcheck", Body.NONE),
          new Route("POST", "/token", Body.SCOPE),
          new Route("GET", "/loadlimit", Body.NONE),
          new Route("GET", "/internal/stats", Body.NONE),
          new Route("GET", "/bundles/signing-key", Body.NONE),
          new Route("GET", "/.well-known/jwks.json", Body.NONE),
          new Route("POST", "/data/config", Body.DATA_UPDATE),
          new Route("POST", "/data/callback_report", Body.REFRESH),
          new Route("GET", "/policy-data", Body.NONE),
          new Route("GET", "/statistics", Body.NONE),
          new Route("GET", "/stats", Body.NONE),
          new Route("GET", "/scopes/ghost", Body.NONE),
          new Route("DELETE", "/scopes/ghost", Body.NONE),
          new Route("DELETE", "/scopes/%zz", Body.NONE),
          new Route("DELETE", "/scopes/a%2Fb", Body.NONE),
          new Route("GET", "/scopes/victim/nothing", Body.NONE),
          new Route("GET", "/", Body.NONE),
          new Route("GET", "/x/y/z.php", Body.NONE));

  private static final String[] PERCENT_JUNK = {
    "%ff%fe",
    "%zz",
    "%",
    "%2F",
    "%2f",
    "%00",
    "%C0%AF",
    "%e9",
    "%u00e9",
    "%%",
    "%5c",
    "%0d%0a",
    "%2e%2e",
    "%25",
    "%F0%9F%98",
    "%ED%A0%80",
    "%7"
  };

  private final int port;

  public RequestGrammar(int port) {
    this.port = port;
  }

  /** Case {@code index} of {@code seed}. */
  public FuzzCase generate(long seed, int index) {
    Random random = new Random(seed * 1_000_003L + index);
    while (true) {
      FuzzCase c = draw(random, seed, index);
      if (!deletesVictim(c.bytes())) {
        return c;
      }
    }
  }

  // --- shapes ------------------------------------------------------------------------------

  private FuzzCase draw(Random r, long seed, int index) {
    Set<String> tags = new LinkedHashSet<>();
    int kind = r.nextInt(100);
    if (kind < 52) {
      Req req = request(r, tags, null, true);
      return finish(seed, index, "single", tags, List.of(req));
    }
    if (kind < 68) {
      int n = 2 + r.nextInt(3);
      List<Req> reqs = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        reqs.add(request(r, tags, null, k == n - 1));
      }
      return finish(seed, index, "pipelined" + n, tags, reqs);
    }
    if (kind < 78) {
      int n = 1 + (r.nextInt(4) == 0 ? 1 : 0);
      List<Req> reqs = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        reqs.add(request(r, tags, "HTTP/1.0", k == n - 1));
      }
      return finish(seed, index, "http10", tags, reqs);
    }
    if (kind < 88) {
      Req req = request(r, tags, null, true);
      byte[] whole = req.bytes();
      int cut = 1 + r.nextInt(Math.max(1, whole.length - 1));
      tags.add(cut < req.headLength ? "cut:in-head" : "cut:in-body");
      return new FuzzCase(
          seed,
          index,
          "truncated",
          tags,
          Arrays.copyOf(whole, cut),
          List.of(req.method),
          true,
          true);
    }
    if (kind < 94) {
      return junk(r, seed, index, tags);
    }
    Req req = oversized(r, tags);
    return finish(seed, index, "oversized", tags, List.of(req));
  }

  private FuzzCase finish(long seed, int index, String shape, Set<String> tags, List<Req> reqs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> methods = new ArrayList<>();
    boolean halfClose = false;
    for (Req req : reqs) {
      out.writeBytes(req.bytes());
      // After a request whose framing is off, the server's idea of where requests start is not the
      // grammar's: which answer is a HEAD's is unknown ("?").
      methods.add(halfClose ? "?" : req.method);
      halfClose |= !req.complete;
    }
    Req last = reqs.get(reqs.size() - 1);
    boolean untilClose = halfClose || last.closes;
    return new FuzzCase(
        seed, index, shape, tags, out.toByteArray(), methods, halfClose, untilClose);
  }

  private FuzzCase junk(Random r, long seed, int index, Set<String> tags) {
    byte[] bytes =
        switch (r.nextInt(9)) {
          case 0 -> {
            tags.add("junk:random-bytes");
            yield randomBytes(r, 1 + r.nextInt(600));
          }
          case 1 -> {
            tags.add("junk:h2-preface");
            yield ascii(
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
                    + (r.nextBoolean()
                        ? "\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000"
                        : ""));
          }
          case 2 -> {
            tags.add("junk:tls-hello");
            byte[] hello = randomBytes(r, 200);
            hello[0] = 0x16;
            hello[1] = 0x03;
            hello[2] = 0x01;
            yield hello;
          }
          case 3 -> {
            tags.add("junk:blank-lines");
            yield ascii(
                "\r\n".repeat(1 + r.nextInt(40))
                    + (r.nextBoolean()
                        ? "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        : ""));
          }
          case 4 -> {
            tags.add("junk:no-terminator");
            yield ascii("GET /healthz HTTP/1.1" + (r.nextBoolean() ? "\r\nHost: x" : ""));
          }
          case 5 -> {
            tags.add("junk:garbage-line");
            yield ascii(
                pick(
                        r,
                        "GARBAGE",
                        "GET",
                        "HTTP/1.1 200 OK",
                        " / HTTP/1.1",
                        "GET /healthz HTTP/1.1 extra",
                        "\u0000\u0000\u0000",
                        "GET\t/healthz\tHTTP/1.1",
                        "GET  /healthz  HTTP/1.1",
                        "get /healthz http/1.1")
                    + "\r\nHost: x\r\n\r\n");
          }
          case 6 -> {
            tags.add("junk:only-headers");
            yield ascii("Host: x\r\nContent-Length: 5\r\n\r\nhello");
          }
          case 7 -> {
            tags.add("junk:nul-bytes");
            yield new byte[1 + r.nextInt(100)];
          }
          default -> {
            tags.add("junk:response-line");
            yield ascii("HTTP/1.1 100 Continue\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
          }
        };
    return new FuzzCase(seed, index, "junk", tags, bytes, List.of("?"), true, true);
  }

  /**
   * A request over a limit: a request line over 8 KB (414), headers over 8 KB (431), a body over 64
   * KB (413).
   */
  private Req oversized(Random r, Set<String> tags) {
    Route route = ROUTES.get(r.nextInt(ROUTES.size()));
    Req req = new Req(route.method, route.target, "HTTP/1.1");
    req.header("Host: 127.0.0.1:" + port);
    switch (r.nextInt(4)) {
      case 0 -> {
        tags.add("over:target");
        req.target =
            route.target
                + (route.target.contains("?") ? "&" : "?")
                + "q="
                + "a".repeat(8200 + r.nextInt(12000));
      }
      case 1 -> {
        tags.add("over:one-header");
        req.header("X-Big: " + "b".repeat(8200 + r.nextInt(12000)));
      }
      case 2 -> {
        tags.add("over:many-headers");
        int n = 700 + r.nextInt(2000);
        for (int k = 0; k < n; k++) {
          req.header("X-F" + (k % 7) + ": y");
        }
      }
      default -> {
        tags.add("over:body");
        byte[] body =
            ascii(
                "{\"scope_id\": \""
                    + "x".repeat(66_000 + r.nextInt(10_000))
                    + "\", \"policy\": 1}");
        if (r.nextBoolean()) {
          req.header("Content-Length: " + body.length);
        } else {
          req.header("Transfer-Encoding: chunked");
          body = chunked(r, body, false, tags);
        }
        req.header(
            "Content-Type: " + pick(r, "application/json", "application/x-www-form-urlencoded"));
        req.body = body;
      }
    }
    req.header("Connection: close");
    req.closes = true;
    return req;
  }

  // --- one request -------------------------------------------------------------------------

  /** A request being built: its line, header lines (each without its line end) and body. */
  private static final class Req {
    String method;
    String target;
    String version;
    String separator = " ";
    String eol = "\r\n";
    final List<byte[]> headers = new ArrayList<>();
    byte[] body = new byte[0];

    /** Whether its framing is whole and correct (else the connection is half-closed after it). */
    boolean complete = true;

    /** Whether it asks the server to close after answering. */
    boolean closes;

    int headLength;

    Req(String method, String target, String version) {
      this.method = method;
      this.target = target;
      this.version = version;
    }

    void header(String line) {
      headers.add(line.getBytes(StandardCharsets.ISO_8859_1));
    }

    void header(byte[] line) {
      headers.add(line);
    }

    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      String line =
          version == null
              ? method + separator + target
              : method + separator + target + separator + version;
      out.writeBytes(line.getBytes(StandardCharsets.ISO_8859_1));
      out.writeBytes(ascii(eol));
      for (byte[] h : headers) {
        out.writeBytes(h);
        out.writeBytes(ascii(eol));
      }
      out.writeBytes(ascii(eol));
      headLength = out.size();
      out.writeBytes(body);
      return out.toByteArray();
    }
  }

  /**
   * @param forcedVersion the version to use, or null to draw one
   * @param last whether it ends its connection (then it usually asks for the close)
   */
  private Req request(Random r, Set<String> tags, String forcedVersion, boolean last) {
    Route route = ROUTES.get(r.nextInt(ROUTES.size()));
    String method = method(r, route, tags);
    String version = forcedVersion != null ? forcedVersion : version(r, tags);
    Req req = new Req(method, target(r, route, tags), version);
    if (r.nextInt(40) == 0) {
      req.separator = pick(r, "  ", "\t", " \t");
      tags.add("line:odd-separator");
    }
    if (r.nextInt(30) == 0) {
      req.eol = "\n";
      tags.add("line:bare-lf");
    }
    boolean http10 = "HTTP/1.0".equals(version);
    host(r, req, tags, http10);

    // The body the route would read, or one it would not, or none.
    boolean withBody = route.body != Body.NONE ? r.nextInt(10) < 8 : r.nextInt(6) == 0;
    String family = withBody ? family(r, route) : null;
    byte[] body = withBody ? body(r, family, route, tags) : new byte[0];
    if (withBody) {
      contentType(r, req, family, tags);
    } else if (r.nextInt(12) == 0) {
      contentType(r, req, pick(r, "json", "form", "multipart", "text"), tags);
      tags.add("ct:without-body");
    }
    framing(r, req, body, withBody, tags);
    misc(r, req, route, tags);
    connection(r, req, last, http10, tags);
    if (r.nextInt(8) == 0) {
      // Headers in another order (Host last, framing first, …).
      java.util.Collections.shuffle(req.headers, r);
    }
    return req;
  }

  private static String method(Random r, Route route, Set<String> tags) {
    int m = r.nextInt(100);
    if (m < 60) {
      return route.method;
    }
    if (m < 88) {
      String method = METHODS[r.nextInt(METHODS.length)];
      tags.add("method:" + method);
      return method;
    }
    if (m < 93) {
      tags.add("method:lower-case");
      return route.method.toLowerCase(Locale.ROOT);
    }
    if (m < 97) {
      tags.add("method:token");
      return pick(
          r, "FOO", "PROPFIND", "M-SEARCH", "BREW", "X", "GETS", "QUERY", "Get", "PRI", "LINK");
    }
    if (m < 99) {
      tags.add("method:empty");
      return "";
    }
    tags.add("method:non-token");
    return pick(r, "G\u00e9T", "GE(T", "{}", "G\u0000T", "GET:", "\u00ff\u00fe");
  }

  private static String version(Random r, Set<String> tags) {
    int v = r.nextInt(100);
    if (v < 82) {
      return "HTTP/1.1";
    }
    if (v < 88) {
      tags.add("version:1.0");
      return "HTTP/1.0";
    }
    if (v < 91) {
      tags.add("version:2.0");
      return "HTTP/2.0";
    }
    if (v < 93) {
      tags.add("version:1.x");
      return "HTTP/1.x";
    }
    if (v < 98) {
      tags.add("version:garbage");
      return pick(
          r,
          "HTTP/1.1.1",
          "http/1.1",
          "HTTP/ 1.1",
          "HTTP/9.9",
          "HTTP/1.1 extra",
          "FOO",
          "HTTP/0.9",
          "HTTP/1.2",
          "HTTP/11",
          "HTTP/1.1\u0000",
          "HTTP/3");
    }
    tags.add("version:missing");
    return null;
  }

  // --- targets -----------------------------------------------------------------------------

  private String target(Random r, Route route, Set<String> tags) {
    String target = route.target;
    if (target.endsWith("base_hash=") || target.endsWith("hinted_hash=")) {
      target +=
          pick(
              r,
              "abc",
              "%zz",
              "%",
              "0123456789abcdef",
              "%ff%fe",
              "",
              "a%00b",
              "\u00e9",
              "x".repeat(300),
              "%2F..%2F");
    }
    int m = r.nextInt(100);
    if (m < 55) {
      return target;
    }
    if (m < 70) {
      tags.add("target:percent-junk");
      return insert(r, target, pick(r, PERCENT_JUNK));
    }
    if (m < 74) {
      tags.add("target:non-ascii");
      return insert(
          r,
          target,
          pick(
              r,
              "\u00e9",
              "\u00ff\u00fe",
              "\u0080",
              "\u00c3\u00a9",
              "\u00ed\u00a0\u0080",
              "\u00c0\u00af"));
    }
    if (m < 77) {
      tags.add("target:long");
      return target
          + (target.contains("?") ? "&" : "/")
          + "a".repeat(pick(r, 300, 2000, 4000, 7000));
    }
    if (m < 79) {
      tags.add("target:asterisk");
      return "*";
    }
    if (m < 86) {
      tags.add("target:absolute-form");
      return pick(
              r,
              "http://127.0.0.1",
              "http://127.0.0.1:" + port,
              "https://x",
              "http://u@127.0.0.1",
              "http://[::1]",
              "http://",
              "HTTP://127.0.0.1",
              "http://a b",
              "ftp://127.0.0.1",
              "http://127.0.0.1:99999",
              "http://%zz",
              "http://127.0.0.1?",
              "http://h\u00e9")
          + target;
    }
    if (m < 89) {
      tags.add("target:authority-form");
      return pick(r, "127.0.0.1:" + port, "x:1", "[::1]:80", "victim:443", "127.0.0.1", ":80");
    }
    if (m < 93) {
      tags.add("target:dot-segments");
      return pick(
          r,
          "/scopes/../healthz",
          "//healthz",
          "/./healthz",
          "/scopes/./victim",
          "/scopes/victim/..",
          "/../../etc/passwd",
          "/scopes/%2e%2e/healthz",
          "/scopes//victim",
          "/healthz/",
          "\\healthz",
          "/scopes\\victim");
    }
    if (m < 96) {
      tags.add("target:query-junk");
      return target
          + (target.contains("?") ? "&" : "?")
          + pick(
              r,
              "a=%zz&b",
              "%",
              "&&=",
              "a=1&a=2&a",
              "=%",
              "x=%00",
              "limit=99999999999999999999",
              "after=%ff",
              "force_fetch=%zz",
              "q=\u00e9");
    }
    if (m < 97) {
      tags.add("target:fragment");
      return target + "#frag%zz";
    }
    if (m < 98) {
      tags.add("target:empty");
      return "";
    }
    tags.add("target:control-chars");
    return insert(r, target, pick(r, " ", "\t", "\u0000", "\u007f", "\u0001", "\u000b"));
  }

  private static String insert(Random r, String target, String junk) {
    int at = 1 + r.nextInt(Math.max(1, target.length()));
    return target.substring(0, Math.min(at, target.length()))
        + junk
        + target.substring(Math.min(at, target.length()));
  }

  // --- headers -----------------------------------------------------------------------------

  private void host(Random r, Req req, Set<String> tags, boolean http10) {
    int h = r.nextInt(100);
    String good =
        pick(
            r,
            "127.0.0.1:" + port,
            "127.0.0.1",
            "localhost",
            "x",
            "example.com:80",
            "[::1]:" + port);
    if (h < 72) {
      req.header("Host: " + good);
    } else if (h < 83) {
      tags.add(http10 ? "host:missing-1.0" : "host:missing");
    } else if (h < 88) {
      tags.add("host:duplicated");
      req.header("Host: " + good);
      req.header("Host: " + (r.nextBoolean() ? good : "other"));
    } else if (h < 91) {
      tags.add("host:empty");
      req.header(pick(r, "Host:", "Host: ", "Host:\t"));
    } else if (h < 97) {
      tags.add("host:invalid");
      req.header(
          "Host: "
              + pick(
                  r, "a b", "a@b", "[::1", "x:99999", "x:abc", "h\u00e9", ":80", "x/y", "x:",
                  "x:-1", "x,y", "\u0000", "x\u00ff", "[zz]", "x?y", "%41"));
    } else {
      tags.add("host:odd-name");
      String odd = pick(r, "host: x", "HOST: x", "Host : x", " Host: x", "Host:x", "Host;x");
      req.header(odd);
      req.complete &= !odd.startsWith(" "); // a fold of the line before it
    }
  }

  private static String family(Random r, Route route) {
    if (r.nextInt(6) == 0) {
      return pick(r, "json", "form", "multipart", "bytes", "text");
    }
    return switch (route.body) {
      case WEBHOOK -> pick(r, "json", "json", "form", "multipart");
      case SCOPE, DATA_UPDATE -> pick(r, "json", "json", "json", "multipart", "form");
      default -> pick(r, "json", "multipart", "bytes");
    };
  }

  private static void contentType(Random r, Req req, String family, Set<String> tags) {
    if (r.nextInt(15) == 0) {
      tags.add("ct:none");
      return;
    }
    if (r.nextInt(25) == 0) {
      tags.add("ct:duplicated");
      req.header("Content-Type: application/json");
      req.header(
          "Content-Type: "
              + pick(r, "application/json", "text/plain", "multipart/form-data; boundary=B"));
      return;
    }
    if (r.nextInt(20) == 0) {
      tags.add("ct:garbage");
      req.header(
          "Content-Type: "
              + pick(
                  r,
                  "garbage",
                  ";;;",
                  "application/",
                  "/",
                  "",
                  "json",
                  "*/*",
                  "application/json;;",
                  "application/json; charset=\u00e9",
                  "application/json\u0000",
                  "MULTIPART/FORM-DATA",
                  "multipart/",
                  "multipart/form-data;",
                  "application/x-www-form-urlencoded; charset=ebcdic",
                  "text/json",
                  "application/vnd.x+json",
                  "APPLICATION/JSON"));
      return;
    }
    String type =
        switch (family) {
          case "json" ->
              pick(
                  r,
                  "application/json",
                  "application/json; charset=utf-8",
                  "application/json;charset=ISO-8859-1",
                  "application/json; charset=\"utf-8\"");
          case "form" ->
              pick(
                  r,
                  "application/x-www-form-urlencoded",
                  "application/x-www-form-urlencoded; charset=utf-8");
          case "multipart" -> {
            tags.add("ct:multipart");
            yield pick(
                r,
                "multipart/form-data; boundary=B",
                "multipart/form-data; boundary=B",
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "multipart/form-data; boundary=\"B\"",
                "multipart/mixed; boundary=B",
                "multipart/form-data; boundary=WRONG",
                "multipart/form-data; charset=utf-8; boundary=B",
                "multipart/form-data; boundary=" + "z".repeat(200));
          }
          case "text" ->
              pick(
                  r,
                  "text/plain",
                  "text/plain; charset=utf-8",
                  "text/csv",
                  "application/xml",
                  "application/octet-stream");
          default -> pick(r, "application/octet-stream", "application/json", "text/plain");
        };
    req.header("Content-Type: " + type);
  }

  /**
   * Content-Length or chunked, right or wrong; marks the request incomplete when its framing is.
   */
  private static void framing(Random r, Req req, byte[] body, boolean withBody, Set<String> tags) {
    if (!withBody) {
      int f = r.nextInt(100);
      if (f < 70) {
        return;
      }
      if (f < 85) {
        req.header("Content-Length: 0");
      } else if (f < 90) {
        tags.add("te:chunked-empty");
        req.header("Transfer-Encoding: chunked");
        req.body = ascii("0\r\n\r\n");
      } else if (f < 95) {
        tags.add("cl:junk");
        req.header("Content-Length: " + pick(r, "-1", "abc", "", "0x0", "00", " 0", "0, 0"));
        req.complete = false;
      } else {
        tags.add("cl:missing-body");
        req.header("Content-Length: " + (1 + r.nextInt(50)));
        req.complete = false;
      }
      return;
    }
    int f = r.nextInt(100);
    if (f < 55) {
      req.header("Content-Length: " + body.length);
      req.body = body;
    } else if (f < 62) {
      tags.add("cl:too-large");
      req.header("Content-Length: " + (body.length + 1 + r.nextInt(100)));
      req.body = body;
      req.complete = false;
    } else if (f < 67) {
      tags.add("cl:too-small");
      req.header("Content-Length: " + r.nextInt(Math.max(1, body.length)));
      req.body = body;
      // The rest is read as the next request: whatever it is, the server answers or closes.
      req.complete = false;
    } else if (f < 70) {
      tags.add("cl:duplicated");
      req.header("Content-Length: " + body.length);
      req.header("Content-Length: " + (r.nextBoolean() ? body.length : body.length + 1));
      req.body = body;
    } else if (f < 74) {
      tags.add("cl:junk");
      req.header(
          "Content-Length: "
              + pick(
                  r,
                  "-1",
                  "abc",
                  "+" + body.length,
                  " " + body.length + " ",
                  body.length + " " + body.length,
                  "0x10",
                  "99999999999999999999",
                  "",
                  "1e3",
                  "\u0665",
                  body.length + "," + body.length,
                  "-0"));
      req.body = body;
      req.complete = false;
    } else if (f < 85) {
      tags.add("te:chunked");
      req.header(
          pick(
              r,
              "Transfer-Encoding: chunked",
              "Transfer-Encoding: chunked",
              "transfer-encoding: Chunked"));
      req.body = chunked(r, body, false, tags);
    } else if (f < 92) {
      tags.add("te:chunked-broken");
      req.header("Transfer-Encoding: chunked");
      req.body = chunked(r, body, true, tags);
      req.complete = false;
    } else if (f < 95) {
      tags.add("te:chunked-and-cl");
      req.header("Transfer-Encoding: chunked");
      req.header("Content-Length: " + pick(r, body.length, 3, 0));
      req.body = chunked(r, body, false, tags);
      req.complete = false;
    } else if (f < 98) {
      tags.add("te:junk");
      req.header(
          "Transfer-Encoding: "
              + pick(
                  r,
                  "gzip",
                  "chunked, identity",
                  "identity",
                  "xchunked",
                  "chunked, chunked",
                  "gzip, chunked",
                  "chunked;q=1",
                  "\u00e9"));
      if (r.nextBoolean()) {
        req.header("Transfer-Encoding: chunked");
      }
      req.body = r.nextBoolean() ? chunked(r, body, false, tags) : body;
      req.complete = false;
    } else {
      tags.add("framing:none");
      req.body = body;
      req.complete = false;
    }
    if (r.nextInt(20) == 0) {
      tags.add("expect:100-continue");
      req.header(pick(r, "Expect: 100-continue", "Expect: 100-continue", "expect: 100-Continue"));
    } else if (r.nextInt(100) == 0) {
      tags.add("expect:junk");
      req.header("Expect: " + pick(r, "200-ok", "100-continue, 100-continue", "\u00e9"));
    }
  }

  /** The body in chunks, maybe with extensions and trailers; {@code broken}: one framing error. */
  private static byte[] chunked(Random r, byte[] body, boolean broken, Set<String> tags) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int brokenAt = broken ? r.nextInt(9) : -1;
    if (broken) {
      tags.add("chunk-error:" + brokenAt);
    }
    int at = 0;
    boolean first = true;
    while (at < body.length) {
      int size = Math.min(body.length - at, 1 + r.nextInt(Math.max(1, body.length / 2 + 1)));
      String sizeText = Integer.toHexString(size);
      if (r.nextInt(5) == 0) {
        sizeText = sizeText.toUpperCase(Locale.ROOT);
      }
      if (r.nextInt(10) == 0) {
        sizeText = "00" + sizeText;
      }
      if (r.nextInt(10) == 0) {
        sizeText += pick(r, ";ext=1", ";a", "; name=\"v\"");
      }
      if (first && brokenAt >= 0) {
        switch (brokenAt) {
          case 0 -> sizeText = "zz";
          case 1 -> sizeText = "-" + sizeText;
          case 2 -> sizeText = Integer.toHexString(size + 1 + r.nextInt(500)); // more than follows
          case 4 -> sizeText = "fffffffffffffffff";
          case 5 -> sizeText = sizeText + " junk";
          case 6 -> sizeText = "";
          default -> {}
        }
      }
      out.writeBytes(ascii(sizeText + "\r\n"));
      out.write(body, at, size);
      if (!(first && brokenAt == 3)) {
        out.writeBytes(ascii("\r\n")); // 3: the CRLF after the data is missing
      }
      at += size;
      first = false;
    }
    if (brokenAt == 7) {
      return out.toByteArray(); // no last chunk
    }
    out.writeBytes(ascii("0\r\n"));
    if (brokenAt == 8) {
      out.writeBytes(ascii(pick(r, "bad trailer\r\n\r\n", "X-T: 1\r\n", " folded\r\n\r\n")));
      return out.toByteArray();
    }
    if (r.nextInt(6) == 0) {
      tags.add("te:trailers");
      out.writeBytes(
          ascii(
              pick(
                  r,
                  "X-Trailer: 1\r\n",
                  "Content-Length: 5\r\n",
                  "Host: y\r\n",
                  "X-A: 1\r\nX-B: 2\r\n")));
    }
    out.writeBytes(ascii("\r\n"));
    return out.toByteArray();
  }

  private void misc(Random r, Req req, Route route, Set<String> tags) {
    if (r.nextInt(25) == 0) {
      tags.add("hdr:obs-fold");
      req.header(
          pick(
              r,
              "X-Folded: a",
              "User-Agent: fuzz",
              "Content-Type: application/json",
              "Host: x",
              "Transfer-Encoding: chunked"));
      req.header(pick(r, " b", "\tb", "  continued value", "\t"));
      // A fold joins the line to whatever header precedes it (Connection, Transfer-Encoding, once
      // shuffled): the framing and the close are no longer known, so the output is shut after it.
      req.complete = false;
    }
    if (r.nextInt(40) == 0) {
      tags.add("hdr:non-ascii-name");
      req.header(pick(r, "X-\u00e9: v", "\u00ff\u00fe: v", "X\u0080Y: v", "X-\u0000: v"));
    }
    if (r.nextInt(20) == 0) {
      tags.add("hdr:non-ascii-value");
      req.header(
          "X-Value: "
              + pick(
                  r,
                  "caf\u00e9",
                  "\u00ff\u00fe",
                  "\u00c3\u00a9",
                  "a\u0000b",
                  "\u00ed\u00a0\u0080",
                  "a\u0001b",
                  "\u007f"));
    }
    if (r.nextInt(40) == 0) {
      tags.add("hdr:malformed-line");
      req.complete = false;
      req.header(
          pick(
              r,
              "NoColonHere",
              ": novalue",
              "Name With Space: v",
              "X-A:\u0000",
              "X-A",
              "(): v",
              "X-A:: v",
              "X-A :v"));
    }
    if (r.nextInt(40) == 0) {
      tags.add("hdr:oversized");
      req.header("X-Big: " + "a".repeat(8200 + r.nextInt(12000)));
    }
    if (r.nextInt(40) == 0) {
      int n = pick(r, 50, 200, 600, 2000);
      tags.add(n * 10 > 8192 ? "hdr:many-over" : "hdr:many");
      for (int k = 0; k < n; k++) {
        req.header("X-" + k + ": v");
      }
    }
    if (r.nextInt(14) == 0) {
      tags.add("hdr:authorization");
      req.header(
          "Authorization: "
              + pick(
                  r,
                  "Bearer junk",
                  "Bearer ",
                  "Bearer",
                  "Basic !!!",
                  "Basic dXNlcjpwYXNz",
                  "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
                  "Bearer eyJ%zz.e30.x",
                  "Bearer " + "a".repeat(3000),
                  "\u00e9",
                  "Bearer a.b.c",
                  "Negotiate x"));
    }
    boolean webhook = route.target.startsWith("/webhook");
    if (r.nextInt(webhook ? 2 : 20) == 0) {
      tags.add("hdr:webhook");
      switch (r.nextInt(5)) {
        case 0 ->
            req.header(
                "X-GitHub-Event: " + pick(r, "push", "ping", "junk", "", "PUSH", "push\u00e9"));
        case 1 -> {
          req.header("X-GitHub-Event: push");
          req.header(
              "X-Hub-Signature-256: "
                  + pick(
                      r,
                      "sha256=zz",
                      "sha256=",
                      "",
                      "sha1=abc",
                      "sha256=" + "0".repeat(64),
                      "sha256=" + "g".repeat(64),
                      "junk"));
        }
        case 2 -> {
          req.header("X-Gitlab-Event: " + pick(r, "Push Hook", "Tag Push Hook", "junk"));
          req.header("X-Gitlab-Token: " + pick(r, "", "t", "\u00e9"));
        }
        case 3 -> req.header("X-Event-Key: " + pick(r, "repo:push", "junk"));
        default -> req.header("X-GitHub-Delivery: " + pick(r, "1", "%zz", ""));
      }
    }
    boolean ws = route.target.equals("/ws");
    if (r.nextInt(ws ? 2 : 30) == 0) {
      tags.add("hdr:websocket");
      req.header("Upgrade: " + pick(r, "websocket", "websocket", "WebSocket", "h2c", "junk", ""));
      req.header(
          "Connection: " + pick(r, "Upgrade", "upgrade, keep-alive", "close, Upgrade", "junk"));
      if (r.nextInt(4) != 0) {
        req.header("Sec-WebSocket-Version: " + pick(r, "13", "13", "8", "junk", ""));
      }
      if (r.nextInt(4) != 0) {
        req.header(
            "Sec-WebSocket-Key: "
                + pick(
                    r, "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ==", "junk", "", "%zz"));
      }
      if (r.nextInt(4) == 0) {
        req.header("Sec-WebSocket-Protocol: " + pick(r, "chat", "", "\u00e9"));
      }
    }
    if (r.nextInt(30) == 0) {
      tags.add("hdr:conditional");
      req.header(
          pick(
              r,
              "If-None-Match: \"abc\"",
              "If-None-Match: *",
              "If-None-Match: junk",
              "If-Modified-Since: junk",
              "Range: bytes=0-1",
              "Range: junk",
              "Accept-Encoding: gzip",
              "Accept-Encoding: junk;q=x",
              "Accept: */*",
              "Accept: junk"));
    }
    if (r.nextInt(20) == 0) {
      tags.add("hdr:cors");
      req.header(
          "Origin: "
              + pick(
                  r, "http://127.0.0.1", "null", "junk", "", "http://a b", "http://h\u00e9", "*"));
      if (r.nextBoolean()) {
        req.header("Access-Control-Request-Method: " + pick(r, "PUT", "DELETE", "junk", ""));
        req.header(
            "Access-Control-Request-Headers: "
                + pick(r, "authorization, content-type", "x-\u00e9", ",,,", ""));
      }
    }
    if (r.nextInt(60) == 0) {
      tags.add("hdr:forwarded");
      req.header(
          pick(
              r,
              "X-Forwarded-For: %zz",
              "Forwarded: for=\"[::1\"",
              "X-Forwarded-Host: a b",
              "X-Forwarded-Proto: ftp",
              "X-Forwarded-Prefix: /scopes/victim"));
    }
  }

  private static void connection(
      Random r, Req req, boolean last, boolean http10, Set<String> tags) {
    if (!last) {
      if (http10 || r.nextBoolean()) {
        req.header("Connection: keep-alive");
      }
      return;
    }
    int c = r.nextInt(100);
    if (c < 85) {
      String close =
          pick(
              r,
              "Connection: close",
              "Connection: close",
              "connection: Close",
              "Connection: keep-alive, close");
      req.header(close);
      // Vert.x honours only a lone "close" (RFC 9110 §7.6.1 says any "close" in the list): for the
      // list, the answers are counted and the client closes, rather than wait for the header
      // timeout.
      req.closes = !close.contains(",");
      if (!req.closes) {
        tags.add("conn:close-in-list");
      }
    } else if (c < 92 && http10) {
      req.closes = true; // HTTP/1.0's default
    } else {
      tags.add("conn:keep-alive-last");
      req.header("Connection: keep-alive");
    }
  }

  // --- bodies ------------------------------------------------------------------------------

  private static byte[] body(Random r, String family, Route route, Set<String> tags) {
    return switch (family) {
      case "json" -> json(r, route, tags);
      case "form" -> form(r, tags);
      case "multipart" -> multipart(r, tags);
      case "text" -> ascii(pick(r, "{}", "hello", "a,b\n1,2", "<x/>", ""));
      default -> {
        tags.add("body:random-bytes");
        yield randomBytes(r, r.nextInt(2000));
      }
    };
  }

  private static byte[] json(Random r, Route route, Set<String> tags) {
    int j = r.nextInt(100);
    if (j < 30) {
      tags.add("body:json-scope");
      return utf8(invalidScope(r));
    }
    if (j < 45) {
      tags.add("body:json-route");
      return utf8(
          switch (route.body) {
            case WEBHOOK -> webhookPayload(r);
            case DATA_UPDATE -> dataUpdate(r);
            default -> pick(r, "{}", "{\"x\": 1}", "[]", "null");
          });
    }
    if (j < 55) {
      tags.add("body:json-deep");
      int depth = pick(r, 20, 500, 999, 1001, 3000, 20000);
      if (r.nextBoolean()) {
        return ascii("[".repeat(depth) + (r.nextBoolean() ? "]".repeat(depth) : ""));
      }
      return ascii(
          "{\"scope_id\": \"deep\", \"policy\": {\"url\": \"ftp://127.0.0.1/d.git\"}, \"x\": "
              + "{\"a\":".repeat(depth)
              + "1"
              + "}".repeat(depth)
              + "}");
    }
    if (j < 65) {
      tags.add("body:json-surrogates");
      return pick(
          r,
          ascii(
              "{\"scope_id\": \"\\ud800\", \"policy\": {\"url\": \"ftp://127.0.0.1/\\udc00.git\"}}"),
          ascii("{\"scope_id\": \"x\\udbff\\u0000\", \"policy\": \"\\ud83d\"}"),
          bytes(
              "{\"scope_id\": \"",
              new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
              "\", \"policy\": 1}"),
          bytes("{\"scope_id\": \"", new byte[] {(byte) 0xc0, (byte) 0x80, (byte) 0xff}, "\"}"),
          bytes(
              "",
              new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf},
              "{\"scope_id\": \"bom\", \"policy\": 1}"),
          bytes("", new byte[] {(byte) 0xff, (byte) 0xfe, '{', 0, '}', 0}, ""),
          ascii("{\"a\": \"\\u12\"}"),
          ascii("\"\\ud800\""));
    }
    if (j < 80) {
      tags.add("body:json-malformed");
      return ascii(
          pick(
              r,
              "{",
              "{\"a\":}",
              "{\"a\" 1}",
              "[1,]",
              "{\"a\":1,}",
              "{'a': 1}",
              "{\"a\": NaN}",
              "{\"a\": Infinity}",
              "/* c */ {}",
              "{\"a\": 1} trailing",
              "{} {}",
              "\"unterminated",
              "1e99999",
              "-",
              "{\"a\": 0x10}",
              "tru",
              "\u0000",
              "{\"policy\": 123456789012345678901234567890}",
              "{\"scope_id\": \"a\", \"scope_id\": \"b\"}",
              "[" + "1,".repeat(3000) + "1]"));
    }
    if (j < 90) {
      tags.add("body:json-scalar");
      return ascii(
          pick(r, "null", "true", "0", "-0", "1.5e300", "\"s\"", "[]", "[{}]", "[null]", "{}", ""));
    }
    tags.add("body:json-scope-array");
    return utf8("[" + invalidScope(r) + ", " + invalidScope(r) + "]");
  }

  /** A scope-shaped object that is never valid: its policy, when an object, has an ftp:// url. */
  private static String invalidScope(Random r) {
    String id =
        pick(
            r,
            "fz" + r.nextInt(1000),
            "",
            "../x",
            "a/b",
            "victim",
            "v\u00e9",
            "x".repeat(300),
            "%zz",
            "default",
            " ");
    String url = "ftp://127.0.0.1/" + pick(r, "x.git", "", "%zz", "\u00e9.git", "a b");
    StringBuilder policy =
        new StringBuilder(
            "{\"source_type\": "
                + pick(r, "\"git\"", "\"git\"", "\"http\"", "1", "null", "\"\"")
                + ", \"url\": \""
                + url
                + "\"");
    if (r.nextBoolean()) {
      policy
          .append(", \"branch\": ")
          .append(pick(r, "\"main\"", "\"\"", "\"-x\"", "5", "\"refs/heads/../x\"", "null"));
    }
    if (r.nextBoolean()) {
      policy
          .append(", \"auth\": ")
          .append(
              pick(
                  r,
                  "{\"auth_type\": \"none\"}",
                  "{\"auth_type\": \"ssh\"}",
                  "{\"auth_type\": \"token\", \"token\": 5}",
                  "\"none\"",
                  "{}",
                  "null",
                  "{\"auth_type\": \"ssh\", \"private_key\": \"-----BEGIN\"}"));
    }
    if (r.nextInt(4) == 0) {
      policy
          .append(", \"directories\": ")
          .append(pick(r, "[\".\"]", "[\"..\"]", "\"x\"", "[1]", "[]"));
    }
    if (r.nextInt(4) == 0) {
      policy.append(", \"extensions\": ").append(pick(r, "[\".rego\"]", "5", "[null]"));
    }
    policy.append('}');
    String policyValue =
        r.nextInt(8) == 0 ? pick(r, "5", "null", "\"ftp://x\"", "[]") : policy.toString();
    StringBuilder scope = new StringBuilder("{");
    if (r.nextInt(10) != 0) {
      scope.append("\"scope_id\": \"").append(id).append("\", ");
    }
    scope.append("\"policy\": ").append(policyValue);
    if (r.nextInt(3) == 0) {
      scope
          .append(", \"data\": ")
          .append(
              pick(r, "{\"entries\": []}", "{\"entries\": [{\"url\": 5}]}", "[]", "\"x\"", "null"));
    }
    if (r.nextInt(4) == 0) {
      scope.append(", \"").append(pick(r, "x", "unknown_field", "\u00e9", "")).append("\": 1");
    }
    return scope.append('}').toString();
  }

  private static String webhookPayload(Random r) {
    String repo =
        switch (r.nextInt(5)) {
          case 0 -> "{\"clone_url\": \"https://127.0.0.1:1/v.git\", \"full_name\": \"o/v\"}";
          case 1 ->
              "{\"clone_url\": " + pick(r, "5", "null", "\"\"", "\"%zz\"", "\"ftp://x\"") + "}";
          case 2 -> pick(r, "null", "\"x\"", "[]", "{}");
          case 3 -> "{\"full_name\": \"" + pick(r, "", "/", "a/b/c", "\u00e9") + "\"}";
          default -> "{\"url\": \"git@127.0.0.1:v.git\", \"ssh_url\": 1}";
        };
    return switch (r.nextInt(5)) {
      case 0 ->
          "{\"ref\": "
              + pick(r, "\"refs/heads/main\"", "\"main\"", "5", "null", "\"\"")
              + ", \"repository\": "
              + repo
              + "}";
      case 1 -> "{\"repository\": " + repo + "}";
      case 2 ->
          "{\"project\": {\"git_http_url\": "
              + pick(r, "\"https://127.0.0.1:1/v.git\"", "7", "null")
              + "}, \"ref\": \"refs/heads/main\"}";
      case 3 ->
          "{\"resource\": {\"repository\": {\"remoteUrl\": "
              + pick(r, "\"x\"", "[]")
              + "}, \"refUpdates\": "
              + pick(r, "[]", "[{}]", "5")
              + "}}";
      default -> pick(r, "{}", "{\"zen\": \"ping\"}", "{\"ref\": \"refs/heads/main\"}");
    };
  }

  private static String dataUpdate(Random r) {
    String entry =
        "{\"url\": "
            + pick(r, "\"https://127.0.0.1:1/d\"", "5", "null", "\"\"")
            + ", \"topics\": "
            + pick(
                r,
                "[\"policy_data\"]",
                "[]",
                "\"x\"",
                "[5]",
                "[\"a:b:c\"]",
                "[\"" + "t".repeat(500) + "\"]")
            + ", \"dst_path\": "
            + pick(r, "\"/x\"", "\"\"", "5", "\"../..\"")
            + (r.nextBoolean() ? ", \"data\": {\"k\": \"\\ud800\"}" : "")
            + "}";
    return pick(
        r,
        "{\"entries\": [" + entry + "], \"reason\": \"fuzz\"}",
        "{\"entries\": " + pick(r, "5", "null", "{}", "[null]") + "}",
        "{\"entries\": [" + entry + ", " + entry + "]}",
        "{}",
        "{\"reason\": 5}");
  }

  private static byte[] form(Random r, Set<String> tags) {
    int f = r.nextInt(100);
    if (f < 25) {
      tags.add("body:form-payload");
      String payload = java.net.URLEncoder.encode(webhookPayload(r), StandardCharsets.UTF_8);
      return ascii("payload=" + payload + (r.nextBoolean() ? "&x=1" : ""));
    }
    if (f < 60) {
      tags.add("body:form-bad-escape");
      return ascii(
          pick(
              r,
              "payload=%zz",
              "a=%G1",
              "%",
              "payload=%",
              "a=%e9%",
              "payload=%7B%7",
              "%%%",
              "a=%u00e9",
              "payload=%ED%A0%80",
              "a=b&%zz=c",
              "payload=%7B%22a%22:%ff%7D"));
    }
    if (f < 75) {
      tags.add("body:form-huge-field");
      return ascii("payload=" + "a".repeat(pick(r, 9000, 20_000, 60_000)));
    }
    if (f < 85) {
      tags.add("body:form-many-fields");
      return ascii("a=1&".repeat(pick(r, 100, 1000, 10_000)));
    }
    tags.add("body:form-odd");
    return ascii(
        pick(
            r,
            "=",
            "&&",
            "a",
            "+%2B",
            "payload",
            "payload=",
            "payload=null",
            "payload=%5B%5D",
            "a==b",
            "\u00e9=\u00e9"));
  }

  private static byte[] multipart(Random r, Set<String> tags) {
    String b = "B";
    String cd = "Content-Disposition: form-data; name=\"payload\"";
    int m = r.nextInt(10);
    tags.add("body:multipart-" + m);
    return ascii(
        switch (m) {
          case 0 ->
              "--" + b + "\r\n" + cd + "\r\n\r\n{\"ref\": \"x\"}\r\n--" + b + "--\r\n"; // valid
          case 1 ->
              "--"
                  + b
                  + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--"
                  + b
                  + "--\r\n"; // no name=
          case 2 -> "--" + b + "\r\n\r\nx\r\n--" + b + "--\r\n"; // no Content-Disposition
          case 3 -> "--" + b + "\r\n" + cd + "\r\n\r\nx"; // truncated
          case 4 -> "--WRONG\r\n" + cd + "\r\n\r\nx\r\n--WRONG--\r\n"; // wrong boundary
          case 5 ->
              "--"
                  + b
                  + "\r\n"
                  + cd
                  + "; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile\r\n--"
                  + b
                  + "--\r\n";
          case 6 ->
              "--"
                  + b
                  + "\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--"
                  + b
                  + "--\r\n";
          case 7 ->
              "--"
                  + b
                  + "\r\n"
                  + cd
                  + "\r\nContent-Transfer-Encoding: junk\r\nContent-Type: text/plain; charset=junk\r\n\r\nx\r\n--"
                  + b
                  + "--\r\n";
          case 8 -> "--" + b + "--\r\n"; // no parts
          default ->
              "--"
                  + b
                  + "\r\nContent-Disposition: junk; name=x\r\n\r\n"
                  + "--"
                  + b
                  + "\r\n"
                  + cd
                  + "\r\n\r\n";
        });
  }

  // --- the rule that keeps victim --------------------------------------------------------

  /** Whether the bytes carry a DELETE or PUT token and, decoded, name victim anywhere. */
  static boolean deletesVictim(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    if (!text.contains("delete") && !text.contains("put")) {
      return false;
    }
    String decoded = text;
    for (int pass = 0; pass < 4; pass++) {
      decoded = percentDecoded(decoded).toLowerCase(Locale.ROOT);
    }
    // Only a DELETE removes it; a PUT of /scopes/victim has no route, but is kept out as well.
    for (String line : decoded.split("\n")) {
      String l = line.trim();
      if ((l.startsWith("delete") || l.startsWith("put"))
          && l.replaceAll("[^a-z]", "").contains("victim")) {
        return true;
      }
    }
    // Framing junk may start a request anywhere: a DELETE token anywhere with victim anywhere is
    // enough.
    return decoded.contains("delete") && decoded.replaceAll("[^a-z]", "").contains("victim");
  }

  private static String percentDecoded(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' && isHex(text, i + 1) && isHex(text, i + 2)) {
        out.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isHex(String text, int at) {
    return at < text.length() && Character.digit(text.charAt(at), 16) >= 0;
  }

  // --- helpers -----------------------------------------------------------------------------

  @SafeVarargs
  private static <T> T pick(Random r, T... options) {
    return options[r.nextInt(options.length)];
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] bytes = new byte[n];
    r.nextBytes(bytes);
    return bytes;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String before, byte[] middle, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii(before));
    out.writeBytes(middle);
    out.writeBytes(ascii(after));
    return out.toByteArray();
  }
}
