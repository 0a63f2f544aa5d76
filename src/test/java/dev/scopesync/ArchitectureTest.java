package dev.scopesync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package rules of STYLE.md that hold today, on the compiled main classes: no package cycles,
 * and the pure parts (git transports, bundle making, signing) free of Vert.x. The rest of the
 * target layout (issue: the house) adds its rules here as its packages arrive.
 */
@AnalyzeClasses(packages = "dev.scopesync", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule noPackageCycles = slices().matching("dev.scopesync.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule pureLayersUseNoVertx = noClasses()
      .that().resideInAnyPackage("dev.scopesync.git..", "dev.scopesync.bundle..", "dev.scopesync.signing..")
      .should().dependOnClassesThat().resideInAnyPackage("io.vertx..")
      .because("git, bundle and signing are plain Java: testable and reusable without an event loop (STYLE.md)");
}
