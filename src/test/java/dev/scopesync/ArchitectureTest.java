package dev.scopesync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.Delivery;
import dev.scopesync.bus.Failures;
import dev.scopesync.bus.StatsFields;
import dev.scopesync.model.CodedFailure;
import java.util.List;

/**
 * The package rules of the README's "Architecture" table, on the compiled main classes: no cycles
 * between packages, no package importing one of a higher layer, and the pure parts (git, bundle
 * making, signing, keys) free of Vert.x.
 */
@AnalyzeClasses(packages = "dev.scopesync", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  /**
   * The layers, top first; a package may import its own layer's packages (the cycle rule keeps
   * those apart) and any layer below. The README's table lists the same order.
   */
  static final List<List<String>> LAYERS =
      List.of(
          List.of(""), // Main, Server: wiring
          List.of("http", "bridge"), // the edges
          List.of("pubsub", "client"), // OPAL's /ws, the typed bus client
          List.of("scope", "fetcher"), // the two verticles and what they own
          List.of("store", "store.file"), // where scopes are kept
          List.of("shard"), // which nodes own which sources
          List.of("git", "git.transport"), // JGit steps and transports
          List.of("serving", "bundle"), // bundle making and the served index
          List.of("metrics", "runtime", "auth"), // process-wide services
          List.of("bus"), // addresses, typed messages, failure codes
          List.of("validation"), // scope and url rules
          List.of("config"), // configuration
          List.of("signing", "webhook", "keys"), // formats with no dependencies of ours
          List.of("model", "digest")); // Scope, GitPolicySource, SourceId; SHA-256

  @ArchTest
  static final ArchRule noPackageCycles =
      slices().matching("dev.scopesync.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule noUpwardImports =
      classes()
          .that()
          .resideInAPackage("dev.scopesync..")
          .should(
              new ArchCondition<JavaClass>("import only packages of their own layer or below") {
                @Override
                public void check(JavaClass item, ConditionEvents events) {
                  int from = layerOf(item);
                  for (Dependency dependency : item.getDirectDependenciesFromSelf()) {
                    JavaClass target = dependency.getTargetClass();
                    if (!target.getPackageName().startsWith("dev.scopesync")) {
                      continue;
                    }
                    int to = layerOf(target);
                    if (to < from) {
                      events.add(
                          SimpleConditionEvent.violated(
                              item,
                              dependency.getDescription()
                                  + " imports upward (layer "
                                  + from
                                  + " -> "
                                  + to
                                  + ")"));
                    }
                  }
                }
              });

  @ArchTest
  static final ArchRule pureLayersUseNoVertx =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.scopesync.git..",
              "dev.scopesync.bundle..",
              "dev.scopesync.signing..",
              "dev.scopesync.keys..",
              "dev.scopesync.shard..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx..")
          .because(
              "git, bundle, signing and keys are plain Java: testable and reusable without an event loop");

  /** What scopesync-<version>-client.jar holds (the pom's client-jar includes): the same list. */
  static final Class<?>[] CLIENT_JAR_EXTRAS = {
    Addresses.class, Delivery.class, Failures.class, StatsFields.class, CodedFailure.class
  };

  @ArchTest
  static final ArchRule clientJarIsSelfContained =
      classes()
          .that()
          .resideInAPackage("dev.scopesync.client..")
          .or()
          .belongToAnyOf(CLIENT_JAR_EXTRAS)
          .should()
          .onlyDependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage(
                      "java..", "io.vertx.core..", "dev.scopesync.client..")
                  .or(JavaClass.Predicates.belongToAnyOf(CLIENT_JAR_EXTRAS)))
          .because(
              "the client jar holds only these classes: a Vert.x application depends on it alone");

  static int layerOf(JavaClass type) {
    String pkg = type.getPackageName();
    String rel = pkg.equals("dev.scopesync") ? "" : pkg.substring("dev.scopesync.".length());
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(rel)) {
        return i;
      }
    }
    throw new AssertionError("package " + pkg + " is in no layer of ArchitectureTest.LAYERS");
  }
}
