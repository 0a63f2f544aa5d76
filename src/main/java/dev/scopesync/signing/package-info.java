/**
 * Signed OPA bundles (DESIGN §16): the {@code /.signatures.json} that stock OPA verifies, computed
 * exactly as OPA's {@code v1/bundle} code checks it.
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * // At start, only when bundles.signingKey is set; an IllegalArgumentException names the
 * // setting at fault (bundles.signingKey / bundles.signingAlgorithm) and must stop the start.
 * BundleSigner signer = BundleSigner.fromConfig(signingKeyPem, signingAlgorithm, signingKeyId);
 *
 * // Once per bundle build (it hashes every file and signs once; cache the result with the bundle):
 * List<BundleFile> files = List.of(
 *         new BundleFile("/.manifest", manifestBytes),
 *         new BundleFile("/policies/authz.rego", regoBytes),
 *         new BundleFile("/policies/data.json", dataBytes));
 * byte[] signatures = signer.signaturesFile(files);  // add as tar entry BundleSigner.SIGNATURES_ENTRY
 *
 * // GET /bundles/signing-key:
 * String pem = signer.publicKeyPem();                 // "-----BEGIN PUBLIC KEY-----\n…"
 * // ETag: include signer.fingerprint() (algorithm + key id + public key).
 * }</pre>
 *
 * <h2>What the caller must do</h2>
 *
 * <ul>
 *   <li>Pass <em>every</em> regular file of the tar, each once, with the exact bytes written into
 *       it: OPA refuses a bundle holding a file the signature does not list, or listing a file the
 *       bundle does not hold. Names may keep their leading {@code /}.
 *   <li>Add the result as {@value dev.scopesync.signing.BundleSigner#SIGNATURES_ENTRY} (any
 *       position in the tar; OPA reads it first whatever its position).
 *   <li>Tell operators that every consuming OPA then needs {@code bundles.<name>.signing.keyid} (or
 *       the JWS {@code kid} is used) and {@code keys.<kid>.key} = {@link
 *       dev.scopesync.signing.BundleSigner#publicKeyPem()}, with {@code keys.<kid>.algorithm} for
 *       anything but RS256: OPA verifies with the algorithm of its key config, not the token's.
 *   <li>Call {@code signaturesFile} where bundles are built, off the event loop: it is CPU work
 *       that grows with the bundle (about 150 ms for an 8 MB {@code data.json} once warm, plus one
 *       RSA or ECDSA signature).
 *   <li>Never log the PEM setting; {@code BundleSigner}'s messages and {@code toString()} never
 *       contain it.
 * </ul>
 *
 * <h2>Classes</h2>
 *
 * <ul>
 *   <li>{@link dev.scopesync.signing.BundleSigner}: settings in, {@code .signatures.json} and
 *       public key out.
 *   <li>{@link dev.scopesync.signing.BundleFile}: a tar entry (name, bytes).
 *   <li>{@link dev.scopesync.signing.SigningAlgorithm}: RS/PS/ES 256/384/512 and their JDK
 *       signatures (PS: MGF1 with the same hash, salt as long as the hash; ES: raw r‖s).
 *   <li>{@link dev.scopesync.signing.OpaFileHash}: which files OPA hashes structurally ({@code
 *       data.json}, {@code data.yaml}, {@code .manifest}) and which over their bytes.
 *   <li>{@link dev.scopesync.signing.OpaJsonHash}: OPA's structural JSON hash (keys sorted by UTF-8
 *       bytes, numbers as written, Go's string escaping with HTML escaping off).
 * </ul>
 *
 * <p>Everything here is immutable or stateless and safe for use by any number of threads. Only
 * {@code BundleSigner.fromConfig} with an EC key loads Bouncy Castle (to compute the public point);
 * nothing here does I/O.
 */
package dev.scopesync.signing;
