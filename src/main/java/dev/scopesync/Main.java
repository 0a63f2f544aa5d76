package dev.scopesync;

import dev.scopesync.config.ConfigException;
import dev.scopesync.config.ConfigLoader;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.scope.GitUrlPolicy;
import dev.scopesync.scope.InvalidScopeException;
import dev.scopesync.scope.ScopeParser;
import io.vertx.core.Vertx;
import dev.scopesync.metrics.ServerMetrics;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a scopesync node: {@code java -jar scopesync.jar [--conf config.json]}. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    ServerConfig config;
    try {
      config = ConfigLoader.load(confPath(args), System.getenv());
      checkConfiguredScopes(config);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("scopesync: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    ServerMetrics metrics = ServerMetrics.create();
    Vertx vertx = Server.newVertx(config, metrics).await(5, TimeUnit.MINUTES);
    Server server;
    try {
      server = Server.start(vertx, config, metrics).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      LOG.error("scopesync failed to start: {}", e.getMessage());
      vertx.close().await(30, TimeUnit.SECONDS);
      System.exit(1);
      return;
    }
    LOG.info("scopesync ready on port {}", server.httpPort());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down");
      try {
        // Stops accepting, lets queued git work finish (bounded by git.timeoutSeconds), closes every repository.
        server.stop().eventually(vertx::close).await(config.gitTimeoutSeconds() + 30L, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("shutdown did not complete cleanly: {}", e.toString());
      }
      stopped.countDown();
    }, "scopesync-shutdown"));
    stopped.await();
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
  }
}
