package dev.samboot.sam;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The core package is plain Java: it imports nothing from Spring, so that any {@code main} can use
 * it, and so do its quorum sources (corosync through jnr-ffi, ZooKeeper through Curator).
 */
class CorePackageTests {

	@Test
	void corePackageImportsNothingFromSpring() {
		JavaClasses core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.samboot.sam");
		noClasses().that()
			.resideInAPackage("dev.samboot.sam")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.springframework..")
			.check(core);
	}

}
