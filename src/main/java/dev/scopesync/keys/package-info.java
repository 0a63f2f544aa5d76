/**
 * Reading keys from text: the one place PEM armour is taken apart ({@link
 * dev.scopesync.keys.PemText}) and DER is read (with Bouncy Castle's ASN.1 classes and, for OpenSSH
 * blobs, Apache MINA sshd).
 *
 * <ul>
 *   <li>{@link dev.scopesync.keys.PrivateKeys}: a signing key (PKCS#8, PKCS#1 RSA, SEC1 EC;
 *       encrypted PKCS#8 or legacy encrypted PEM with a passphrase) and its derived public half; it
 *       reads the PEM labels and hands the DER to {@code PrivateKeyDer} (the key structures) and,
 *       for an encrypted key, to {@code EncryptedPrivateKeys} (decryption with bcpkix) first;
 *   <li>{@link dev.scopesync.keys.PublicKeys}: a verification key (SubjectPublicKeyInfo, PKCS#1
 *       RSA, an OpenSSH {@code ssh-rsa} line), and the SPKI PEM of a key;
 *   <li>{@link dev.scopesync.keys.SshPrivateKeys}: whether a scope's ssh key has the shape of one.
 * </ul>
 *
 * <p>Every refusal is an {@link java.lang.IllegalArgumentException} in words of its own, with no
 * cause attached: no byte of a key, no passphrase and no library message is ever put into one, so
 * logging it cannot leak the key. Plain Java, no Vert.x; everything here is stateless and
 * thread-safe.
 */
package dev.scopesync.keys;
