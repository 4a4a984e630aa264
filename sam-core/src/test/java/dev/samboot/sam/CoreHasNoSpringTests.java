package dev.samboot.sam;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The core is plain Java: any {@code main} can use it the way a C program uses libsam,
 * and the supervisor process never loads Spring.
 */
@AnalyzeClasses(packages = { "dev.samboot.sam", "dev.samboot.corosync", "dev.samboot.zookeeper" },
		importOptions = ImportOption.DoNotIncludeTests.class)
class CoreHasNoSpringTests {

	@ArchTest
	static final ArchRule coreDoesNotDependOnSpring = noClasses().that()
		.resideInAnyPackage("dev.samboot.sam..", "dev.samboot.corosync..", "dev.samboot.zookeeper..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("org.springframework..")
		.because("the core API is plain Java");

}
