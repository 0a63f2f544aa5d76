package dev.scopesync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** GET /openapi.json describes the routes there are, and validation agrees with its schemas. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiTest {
  private TestNode node;
  private JsonObject spec;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    node = TestNode.start(dir);
    HttpResponse<String> response = node.request("GET", "/openapi.json", null);
    assertEquals(200, response.statusCode());
    spec = new JsonObject(response.body());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void everyDocumentedOperationIsServed() throws Exception {
    Set<String> methods = Set.of("get", "put", "post", "delete", "patch");
    int operations = 0;
    for (Map.Entry<String, Object> path : spec.getJsonObject("paths")) {
      String concrete = path.getKey().replace("{scopeId}", "someone");
      for (String method : ((JsonObject) path.getValue()).fieldNames()) {
        if (!methods.contains(method)) {
          continue;
        }
        operations++;
        String body = method.equals("get") || method.equals("delete") ? null : "{}";
        HttpResponse<String> response = node.request(method.toUpperCase(), concrete, body);
        assertNotEquals(405, response.statusCode(), method + " " + concrete);
        if (response.statusCode() == 404) {
          assertTrue(
              response.body().contains("No such scope") || response.body().contains("not signed"),
              method + " " + concrete + " is not routed: " + response.body());
        }
      }
    }
    assertEquals(31, operations, "the documented operations");
  }

  /**
   * Each body route takes exactly the content types it documents: any other gets 415 naming them.
   */
  @Test
  void everyDocumentedBodyTakesExactlyItsContentTypes() throws Exception {
    int bodies = 0;
    for (Map.Entry<String, Object> path : spec.getJsonObject("paths")) {
      String concrete = path.getKey().replace("{scopeId}", "someone");
      for (Map.Entry<String, Object> operation : (JsonObject) path.getValue()) {
        if (!(operation.getValue() instanceof JsonObject op)
            || op.getJsonObject("requestBody") == null) {
          continue;
        }
        bodies++;
        Set<String> documented =
            op.getJsonObject("requestBody").getJsonObject("content").fieldNames();
        assertTrue(
            op.getJsonObject("responses").containsKey("415"),
            operation.getKey() + " " + path.getKey());
        HttpResponse<String> refused =
            node.request(
                operation.getKey().toUpperCase(),
                concrete,
                "x=1",
                Map.of("Content-Type", "text/plain"));
        assertEquals(
            415, refused.statusCode(), operation.getKey() + " " + concrete + ": " + refused.body());
        String detail = new JsonObject(refused.body()).getString("detail");
        for (String type : documented) {
          assertTrue(detail.contains(type), concrete + " names " + type + ": " + detail);
        }
        HttpResponse<String> multipart =
            node.request(
                operation.getKey().toUpperCase(),
                concrete,
                "--b\r\n",
                Map.of("Content-Type", "multipart/form-data; boundary=b"));
        assertEquals(415, multipart.statusCode(), concrete);
        if (!documented.contains("application/x-www-form-urlencoded")) {
          assertEquals(
              415,
              node.request(
                      operation.getKey().toUpperCase(),
                      concrete,
                      "a=b",
                      Map.of("Content-Type", "application/x-www-form-urlencoded"))
                  .statusCode(),
              concrete);
        }
      }
    }
    assertEquals(8, bodies, "the documented bodies");
  }

  @Test
  void wrongTypesForEveryDocumentedScopeFieldAreRefusedNamingTheField() throws Exception {
    JsonObject schemas = spec.getJsonObject("components").getJsonObject("schemas");
    JsonObject policyProps = schemas.getJsonObject("PolicySource").getJsonObject("properties");
    for (String field : policyProps.fieldNames()) {
      JsonObject schema = policyProps.getJsonObject(field);
      // Not what pydantic v1 would coerce: a number is a fine string to it, "yes" a fine boolean.
      Object wrong =
          "string".equals(schema.getString("type"))
              ? (Object) new JsonArray().add(42)
              : "boolean".equals(schema.getString("type"))
                  ? "maybe"
                  : "array".equals(schema.getString("type"))
                      ? (Object) "not-a-list"
                      : (Object) new JsonArray();
      JsonObject scope = TestNode.scope("typed", "https://127.0.0.1:1/r.git");
      scope.getJsonObject("policy").put(field, wrong);
      HttpResponse<String> response = node.put(scope);
      assertEquals(422, response.statusCode(), field + ": " + response.body());
      assertTrue(
          new JsonObject(response.body()).getString("detail").startsWith("policy." + field),
          field + ": " + response.body());
    }
    for (String required :
        schemas.getJsonObject("Scope").getJsonArray("required").stream()
            .map(String::valueOf)
            .toList()) {
      JsonObject scope = TestNode.scope("typed", "https://127.0.0.1:1/r.git");
      scope.remove(required);
      HttpResponse<String> response = node.put(scope);
      assertEquals(422, response.statusCode(), required);
      assertTrue(
          new JsonObject(response.body()).getString("detail").startsWith(required),
          response.body());
    }
    assertEquals("[]", node.request("GET", "/scopes", null).body());
  }
}
