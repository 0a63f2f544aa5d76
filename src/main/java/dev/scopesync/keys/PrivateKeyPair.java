package dev.scopesync.keys;

import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * A private key read from text and its public half, derived from it (never trusted from the text).
 *
 * @param privateKey RSA or EC
 * @param publicKey the matching public key
 * @param curve {@code P-256}, {@code P-384} or {@code P-521} for an EC key; null for RSA
 */
public record PrivateKeyPair(PrivateKey privateKey, PublicKey publicKey, String curve) {
  @Override
  public String toString() {
    return "PrivateKeyPair[" + privateKey.getAlgorithm() + (curve == null ? "" : " " + curve) + "]";
  }
}
