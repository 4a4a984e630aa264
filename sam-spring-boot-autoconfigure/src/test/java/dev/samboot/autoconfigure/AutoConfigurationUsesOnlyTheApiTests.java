package dev.samboot.autoconfigure;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The Spring layer is built on sam-core's API alone ({@code dev.samboot.sam} and the
 * quorum sources), never on its internal packages, which may change in any release.
 */
@AnalyzeClasses(packages = "dev.samboot.autoconfigure")
class AutoConfigurationUsesOnlyTheApiTests {

	@ArchTest
	static final ArchRule noClassDependsOnTheCoresInternals = noClasses().that()
		.resideInAPackage("dev.samboot.autoconfigure..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("dev.samboot.sam.internal..")
		.because("dev.samboot.sam.internal is not an API");

	@ArchTest
	static final ArchRule theLaunchersDecisionNeedsNoSpring = noClasses().that()
		.haveSimpleName("LauncherSupervision")
		.should()
		.transitivelyDependOnClassesThat()
		.resideInAPackage("org.springframework..")
		.because("samboot's launcher loads them in a class loader that holds only samboot's and jnr's jars");

}
