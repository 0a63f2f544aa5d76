package dev.scopesync.model;

import io.vertx.core.json.JsonObject;

/**
 * How to authenticate to a scope's remote (OPAL's four auth types). Secrets are written only by
 * {@link #toJson(boolean)} with {@code withSecrets}; {@link #toString()} never shows them.
 */
public sealed interface GitAuth {
  String type();

  JsonObject toJson(boolean withSecrets);

  record None() implements GitAuth {
    public String type() {
      return "none";
    }

    public JsonObject toJson(boolean withSecrets) {
      return new JsonObject().put("auth_type", type());
    }
  }

  record GithubToken(String token) implements GitAuth {
    public String type() {
      return "github_token";
    }

    public JsonObject toJson(boolean withSecrets) {
      JsonObject json = new JsonObject().put("auth_type", type());
      return withSecrets ? json.put("token", token) : json;
    }

    @Override
    public String toString() {
      return "GithubToken[token=***]";
    }
  }

  record UserPass(String username, String password) implements GitAuth {
    public String type() {
      return "userpass";
    }

    public JsonObject toJson(boolean withSecrets) {
      JsonObject json = new JsonObject().put("auth_type", type()).put("username", username);
      return withSecrets ? json.put("password", password) : json;
    }

    @Override
    public String toString() {
      return "UserPass[username=" + username + ", password=***]";
    }
  }

  record Ssh(String username, String privateKey, String publicKey) implements GitAuth {
    public String type() {
      return "ssh";
    }

    public JsonObject toJson(boolean withSecrets) {
      JsonObject json = new JsonObject().put("auth_type", type()).put("username", username);
      if (withSecrets) {
        json.put("private_key", privateKey).put("public_key", publicKey);
      }
      return json;
    }

    @Override
    public String toString() {
      return "Ssh[username=" + username + ", private_key=***]";
    }
  }
}
