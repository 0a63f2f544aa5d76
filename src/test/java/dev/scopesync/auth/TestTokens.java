package dev.scopesync.auth;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Keys and tokens made in the test, signed by hand so that any header or payload can be sent. */
final class TestTokens {
  private TestTokens() {}

  static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject header(String alg) {
    return new JsonObject().put("alg", alg).put("typ", "JWT");
  }

  /** RS256 signature over {@code header.payload} with {@code key}. */
  /**
   * An RS256 token with OPAL's claims (audience, issuer, a hex UUID sub, an hour to live) and,
   * given, allowed_scopes.
   */
  static String opal(PrivateKey key, String peerType, java.util.List<String> allowedScopes) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject payload =
        new JsonObject()
            .put("peer_type", peerType)
            .put("sub", java.util.UUID.randomUUID().toString().replace("-", ""))
            .put("aud", AccessPolicy.DEFAULT_AUDIENCE)
            .put("iss", AccessPolicy.DEFAULT_ISSUER)
            .put("iat", now - 10)
            .put("exp", now + 3600);
    if (allowedScopes != null) {
      payload.put("allowed_scopes", new io.vertx.core.json.JsonArray(allowedScopes));
    }
    return rs256(key, header("RS256"), payload);
  }

  static String rs256(PrivateKey key, JsonObject header, JsonObject payload) {
    return sign("SHA256withRSA", key, header, payload);
  }

  static String sign(String jcaAlgorithm, PrivateKey key, JsonObject header, JsonObject payload) {
    return signRaw(jcaAlgorithm, key, header.encode(), payload.encode());
  }

  /** Signs any text as header and payload, JSON or not. */
  static String signRaw(String jcaAlgorithm, PrivateKey key, String header, String payload) {
    String signingInput =
        base64url(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + base64url(payload.getBytes(StandardCharsets.UTF_8));
    try {
      Signature signature = Signature.getInstance(jcaAlgorithm);
      signature.initSign(key);
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + base64url(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** HS256 with {@code secret}: the key-confusion attack when the secret is the public key. */
  static String hs256(byte[] secret, JsonObject payload) {
    String signingInput = segment(header("HS256")) + "." + segment(payload);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return signingInput
          + "."
          + base64url(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code alg: none}, with the empty signature RFC 7519 §6.1 gives it. */
  static String unsigned(JsonObject payload) {
    return segment(header("none")) + "." + segment(payload) + ".";
  }

  static String segment(JsonObject json) {
    return base64url(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  static String base64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  static String publicPem(KeyPair pair) {
    return pem("PUBLIC KEY", pair.getPublic().getEncoded());
  }

  static String privatePem(KeyPair pair) {
    return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
  }

  /** The key as {@code ssh-keygen} writes it to {@code id_rsa.pub}. */
  static String sshRsa(KeyPair pair, String comment) {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    ByteArrayOutputStream blob = new ByteArrayOutputStream();
    sshString(blob, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
    sshString(blob, key.getPublicExponent().toByteArray());
    sshString(blob, key.getModulus().toByteArray());
    return "ssh-rsa " + Base64.getEncoder().encodeToString(blob.toByteArray()) + " " + comment;
  }

  /** The key as {@code ssh-keygen -e -m pem} writes it: PKCS#1 {@code RSA PUBLIC KEY}. */
  static String pkcs1Pem(KeyPair pair) {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    byte[] body = concat(derInteger(key.getModulus()), derInteger(key.getPublicExponent()));
    return pem("RSA PUBLIC KEY", concat(derHeader(0x30, body.length), body));
  }

  private static void sshString(ByteArrayOutputStream out, byte[] bytes) {
    int n = bytes.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.writeBytes(bytes);
  }

  private static byte[] derInteger(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return concat(derHeader(0x02, bytes.length), bytes);
  }

  private static byte[] derHeader(int tag, int length) {
    if (length < 0x80) {
      return new byte[] {(byte) tag, (byte) length};
    }
    if (length < 0x100) {
      return new byte[] {(byte) tag, (byte) 0x81, (byte) length};
    }
    return new byte[] {(byte) tag, (byte) 0x82, (byte) (length >>> 8), (byte) length};
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
