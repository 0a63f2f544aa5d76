package dev.scopesync;

import dev.scopesync.testing.TestNode;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/** Signed GitHub push deliveries for the sharded-cluster tests. */
final class ShardedPushes {
  static final String SECRET = WebhookTest.SECRET;

  private ShardedPushes() {}

  /** Delivers GitHub's push of {@code branch} of {@code url} to {@code node}. */
  static HttpResponse<String> push(TestNode node, String url, String branch) throws Exception {
    WebhookTest.Hook hook = WebhookTest.hook("github", url, branch);
    String body = hook.body().encode();
    Map<String, String> headers = new HashMap<>(hook.headers());
    headers.put("X-Hub-Signature-256", WebhookTest.sign(body));
    return node.request("POST", "/webhook", body, headers);
  }
}
