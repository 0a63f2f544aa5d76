package dev.scopesync;

import dev.scopesync.auth.AccessPolicy;
import dev.scopesync.config.ConfigException;
import dev.scopesync.config.ConfigKeys;
import dev.scopesync.config.ConfigLoader;
import dev.scopesync.config.ConfigNote;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.model.InvalidScopeException;
import dev.scopesync.runtime.ArchiveTraining;
import dev.scopesync.runtime.LogSettings;
import dev.scopesync.signing.JwtSigner;
import dev.scopesync.validation.GitUrlPolicy;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a scopesync node: {@code java -jar scopesync.jar [--conf config.json]}. With {@code
 * -Dscopesync.archiveTraining=true} it runs {@link ArchiveTraining} instead (what {@code
 * scripts/run.sh} does once to make its class-data archive).
 */
public final class Main {
  static {
    // Netty registers its JFR events (buffer allocations) whenever JFR exists in the JVM,
    // which costs ~60 ms of start in annotation proxies and generated classes; nothing here
    // records them. -Dio.netty.jfr.enabled=true brings them back.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (ArchiveTraining.requested()) {
      System.exit(ArchiveTraining.run(new TrainingNode()));
      return;
    }
    ServerConfig config;
    try {
      config = configOf(confPath(args), System.getenv());
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("scopesync: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogSettings.apply(config.logLevel(), config.logJson());
    for (ConfigNote note : config.notes()) {
      if (note.warning()) {
        LOG.warn("config: {}", note.text());
      } else {
        LOG.info("config: {}", note.text());
      }
    }
    Node node;
    try {
      node = Node.start(config);
    } catch (Exception e) {
      LOG.error("scopesync failed to start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    LOG.info("scopesync ready on port {}", node.server.httpPort());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("shutting down");
                  try {
                    node.stop();
                  } catch (Exception e) {
                    LOG.warn("shutdown did not complete cleanly: {}", e.toString());
                  }
                  stopped.countDown();
                },
                "scopesync-shutdown"));
    stopped.await();
  }

  /** The configuration, with the scopes of the config file validated before anything starts. */
  static ServerConfig configOf(Path confFile, Map<String, String> env) {
    ServerConfig config = ConfigLoader.load(confFile, env);
    checkConfiguredScopes(config);
    checkAuthKeys(config, env);
    checkTokenKey(config, env);
    return config;
  }

  /**
   * The auth keys are read before anything starts: one that cannot be read stops the start (OPAL
   * then runs without auth, silently), with the setting — and the OPAL variable — named.
   */
  private static void checkAuthKeys(ServerConfig config, Map<String, String> env) {
    if (config.authPublicKey() != null) {
      try {
        AccessPolicy.checkKey(config.authPublicKey(), config.authAlgorithm());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            ConfigKeys.AUTH_PUBLIC_KEY
                + fromOpal(env, "OPAL_AUTH_PUBLIC_KEY")
                + ": "
                + e.getMessage());
      }
    }
  }

  private static void checkTokenKey(ServerConfig config, Map<String, String> env) {
    if (config.opal().privateKey() != null) {
      try {
        JwtSigner.shared(
            config.opal().privateKey(),
            config.opal().privateKeyPassphrase(),
            config.authAlgorithm());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage() + fromOpal(env, "OPAL_AUTH_PRIVATE_KEY"));
      }
    }
  }

  private static String fromOpal(Map<String, String> env, String variable) {
    return env.containsKey(variable) ? " (" + variable + ")" : "";
  }

  /** A started node: its Vert.x and server. */
  private record Node(ServerConfig config, Vertx vertx, Server server) {
    static Node start(ServerConfig config) throws Exception {
      ServerMetrics metrics = ServerMetrics.create();
      Vertx vertx = Server.newVertx(config, metrics).await(5, TimeUnit.MINUTES);
      try {
        return new Node(
            config, vertx, Server.start(vertx, config, metrics).await(5, TimeUnit.MINUTES));
      } catch (Exception e) {
        vertx.close().await(30, TimeUnit.SECONDS);
        throw e;
      }
    }

    /**
     * Stops accepting, lets queued git work finish (bounded by git.timeoutSeconds), closes every
     * repository.
     */
    void stop() throws Exception {
      server
          .stop()
          .eventually(vertx::close)
          .await(config.gitTimeoutSeconds() + 30L, TimeUnit.SECONDS);
    }
  }

  /**
   * The training run's node: started from a config file with none of the process's SCOPESYNC_*
   * variables.
   */
  private static final class TrainingNode implements ArchiveTraining.NodeStarter {
    private Node node;

    @Override
    public int start(Path configFile) throws Exception {
      node = Node.start(configOf(configFile, Map.of()));
      return node.server.httpPort();
    }

    @Override
    public void stop() throws Exception {
      node.stop();
    }
  }

  private static Path confPath(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--conf") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--conf=")) {
        return Path.of(args[i].substring("--conf=".length()));
      }
    }
    return null;
  }

  /** The scopes of the config file are validated before anything starts. */
  private static void checkConfiguredScopes(ServerConfig config) {
    ScopeParser parser = new ScopeParser(new GitUrlPolicy(config.allowedSchemes()));
    for (int i = 0; i < config.scopes().size(); i++) {
      try {
        parser.parse(config.scopes().getJsonObject(i));
      } catch (InvalidScopeException e) {
        throw new ConfigException("config key 'scopes[" + i + "]." + e.getMessage());
      }
    }
    for (Object owned : config.opal().ownedScopes()) {
      try {
        parser.parse(owned);
      } catch (InvalidScopeException e) {
        throw new ConfigException("the default scope of OPAL_POLICY_REPO_*: " + e.getMessage());
      }
    }
  }
}
