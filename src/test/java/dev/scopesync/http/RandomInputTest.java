package dev.scopesync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random JSON documents and random bytes against every write route (seeded, so a
 * failure repeats): never a 5xx, and nothing invalid changes the scopes.
 */
class RandomInputTest {
  private static final List<String> KEYS =
      List.of(
          "scope_id",
          "policy",
          "data",
          "url",
          "branch",
          "directories",
          "extensions",
          "manifest",
          "bundle_ignore",
          "poll_updates",
          "auth",
          "auth_type",
          "token",
          "username",
          "password",
          "private_key",
          "source_type",
          "entries",
          "topics",
          "ref",
          "repository",
          "clone_url",
          "x");
  private static final List<String> WRITES =
      List.of(
          "PUT /scopes",
          "PUT /scopes?force_fetch=true",
          "POST /webhook",
          "POST /scopes/victim/data/update",
          "POST /scopes/victim/refresh",
          "POST /scopes/refresh",
          "DELETE /scopes/%00",
          "POST /scopes/victim/refresh?hinted_hash=%3Cz%3E");

  @TempDir Path dir;

  @Test
  void randomDocumentsAndBytesNeverCauseA5xxNorChangeState() throws Exception {
    Random random = new Random(20261127);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (TestNode node =
        TestNode.start(
            dir,
            c -> {
              c.getJsonObject("http").put("maxBodyBytes", 65536);
              return c;
            })) {
      assertEquals(
          201, node.put(TestNode.scope("victim", "https://127.0.0.1:1/v.git")).statusCode());
      String state = node.request("GET", "/scopes", null).body();
      int requests = 0;
      int created = 0;
      for (int i = 0; i < 3000; i++) {
        String route = WRITES.get(random.nextInt(WRITES.size()));
        String method = route.substring(0, route.indexOf(' '));
        String path = route.substring(route.indexOf(' ') + 1);
        byte[] body = random.nextInt(4) == 0 ? randomBytes(random) : document(random).getBytes();
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.server.httpPort() + path))
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                    .header("Content-Type", "application/json")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        requests++;
        assertTrue(
            response.statusCode() < 500,
            route
                + " -> "
                + response.statusCode()
                + " "
                + response.body()
                + " for "
                + new String(body));
        if (response.statusCode() >= 400) {
          assertTrue(new JsonObject(response.body()).getString("detail") != null, response.body());
        }
        if (response.statusCode() == 201) {
          // A random document that happens to be a valid scope: legitimately stored; remove it.
          created++;
          String id = new JsonObject(new String(body)).getString("scope_id");
          node.delete(
              java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)
                  .replace("+", "%20"));
        }
        if (i % 500 == 0) {
          assertEquals(state, node.request("GET", "/scopes", null).body(), "after request " + i);
        }
      }
      assertEquals(state, node.request("GET", "/scopes", null).body());
      assertEquals(200, node.request("GET", "/ready", null).statusCode());
      assertEquals(3000, requests);
      assertTrue(created < 300, "most random documents are invalid: " + created);
    }
  }

  private static byte[] randomBytes(Random random) {
    byte[] bytes = new byte[random.nextInt(200)];
    random.nextBytes(bytes);
    return bytes;
  }

  private static String document(Random random) {
    return io.vertx.core.json.Json.encode(value(random, 0));
  }

  private static Object value(Random random, int depth) {
    int kind = random.nextInt(depth > 3 ? 6 : 8);
    return switch (kind) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt(2000) - 1000;
      case 3 -> random.nextDouble();
      case 4 -> string(random);
      case 5 -> KEYS.get(random.nextInt(KEYS.size()));
      case 6 -> {
        JsonArray array = new JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(value(random, depth + 1));
        }
        yield array;
      }
      default -> {
        JsonObject object = new JsonObject();
        for (int i = random.nextInt(5); i > 0; i--) {
          object.put(KEYS.get(random.nextInt(KEYS.size())), value(random, depth + 1));
        }
        yield object;
      }
    };
  }

  private static String string(Random random) {
    String[] pieces = {
      "https://127.0.0.1:1/r.git",
      "main",
      ".",
      "..",
      "/",
      "a/b",
      "\u0000",
      "ext::sh",
      "é",
      "git@h:r.git",
      "file:///etc",
      "x".repeat(300),
      "",
      " ",
      "refs/heads/x",
      "-----BEGIN"
    };
    return pieces[random.nextInt(pieces.length)]
        + (random.nextBoolean() ? "" : Integer.toString(random.nextInt(99)));
  }
}
