package dev.scopesync.config;

import java.util.List;

/**
 * OPAL's {@code OPAL_AUTH_*} variables: the key that checks tokens, the one {@code POST /token}
 * signs with, and the master token. A key format scopesync cannot read stops the start: dropping
 * the key would leave the server open. Stateless.
 */
final class OpalAuthVariables {
  private OpalAuthVariables() {}

  static void read(OverlayDraft draft) {
    for (String format : List.of("OPAL_AUTH_PUBLIC_KEY_FORMAT", "OPAL_AUTH_PRIVATE_KEY_FORMAT")) {
      String value = draft.env().value(format);
      if (value != null
          && !value.trim().equalsIgnoreCase("pem")
          && !value.trim().equalsIgnoreCase("ssh")) {
        throw new ConfigException(
            format
                + "='"
                + value
                + "' is not a key format scopesync reads (pem or ssh);"
                + " refusing to start rather than run without the key");
      }
    }
    draft.copy("OPAL_AUTH_PUBLIC_KEY", ConfigKeys.AUTH_PUBLIC_KEY);
    draft.copy("OPAL_AUTH_JWT_ALGORITHM", ConfigKeys.AUTH_ALGORITHM);
    draft.copy("OPAL_AUTH_JWT_AUDIENCE", ConfigKeys.AUTH_AUDIENCE);
    draft.copy("OPAL_AUTH_JWT_ISSUER", ConfigKeys.AUTH_ISSUER);
    draft.copy("OPAL_AUTH_PRIVATE_KEY", ConfigKeys.AUTH_PRIVATE_KEY);
    draft.copy("OPAL_AUTH_PRIVATE_KEY_PASSPHRASE", ConfigKeys.AUTH_PRIVATE_KEY_PASSPHRASE);
    draft.copy("OPAL_AUTH_MASTER_TOKEN", ConfigKeys.AUTH_MASTER_TOKEN);
  }
}
