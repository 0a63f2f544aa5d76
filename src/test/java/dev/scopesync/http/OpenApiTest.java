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
          assertTrue(response.body().contains("No such scope") || response.body().contains("not signed"),
              method + " " + concrete + " is not routed: "
              + response.body());
        }
      }
    }
    assertEquals(20, operations, "the documented operations");
  }

  @Test
  void wrongTypesForEveryDocumentedScopeFieldAreRefusedNamingTheField() throws Exception {
    JsonObject schemas = spec.getJsonObject("components").getJsonObject("schemas");
    JsonObject policyProps = schemas.getJsonObject("PolicySource").getJsonObject("properties");
    for (String field : policyProps.fieldNames()) {
      JsonObject schema = policyProps.getJsonObject(field);
      Object wrong = "string".equals(schema.getString("type")) ? (Object) 42
          : "boolean".equals(schema.getString("type")) ? "yes"
          : "array".equals(schema.getString("type")) ? (Object) "not-a-list"
          : (Object) new JsonArray();
      JsonObject scope = TestNode.scope("typed", "https://127.0.0.1:1/r.git");
      scope.getJsonObject("policy").put(field, wrong);
      HttpResponse<String> response = node.put(scope);
      assertEquals(422, response.statusCode(), field + ": " + response.body());
      assertTrue(new JsonObject(response.body()).getString("detail").startsWith("policy." + field),
          field + ": " + response.body());
    }
    for (String required : schemas.getJsonObject("Scope").getJsonArray("required").stream().map(String::valueOf)
        .toList()) {
      JsonObject scope = TestNode.scope("typed", "https://127.0.0.1:1/r.git");
      scope.remove(required);
      HttpResponse<String> response = node.put(scope);
      assertEquals(422, response.statusCode(), required);
      assertTrue(new JsonObject(response.body()).getString("detail").startsWith(required), response.body());
    }
    assertEquals("[]", node.request("GET", "/scopes", null).body());
  }
}
