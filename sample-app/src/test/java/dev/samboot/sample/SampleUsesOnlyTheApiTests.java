package dev.samboot.sample;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The sample application uses samboot as any application would: through the starter and
 * the API in {@code dev.samboot.sam}, never its internal packages.
 */
@AnalyzeClasses(packages = "dev.samboot.sample", importOptions = ImportOption.DoNotIncludeTests.class)
class SampleUsesOnlyTheApiTests {

	@ArchTest
	static final ArchRule noClassDependsOnTheCoresInternals = noClasses().that()
		.resideInAPackage("dev.samboot.sample..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("dev.samboot.sam.internal..")
		.because("dev.samboot.sam.internal is not an API");

}
