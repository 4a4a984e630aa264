package dev.samboot.corosync;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A CPG group is joined by the active process, never by the supervisor: were the
 * supervisor a member, the group would see a process that outlives every instance and is
 * no instance. So nothing the supervisor runs (the SAM facade, the supervisor, the lean
 * supervisor, the channel, and the quorum and cmap classes it loads for the policy flags)
 * refers to the CPG binding ({@code Cpg*} in {@code dev.samboot.corosync}, libcpg's
 * functions in {@code CorosyncLibraries.Cpg*} among them).
 */
@AnalyzeClasses(packages = { "dev.samboot.sam", "dev.samboot.corosync", "dev.samboot.zookeeper" },
		importOptions = ImportOption.DoNotIncludeTests.class)
class CpgOnlyInTheActiveProcessTests {

	private static final DescribedPredicate<JavaClass> CPG = resideInAPackage("dev.samboot.corosync")
		.and(simpleNameStartingWith("Cpg"))
		.as("are the CPG binding (dev.samboot.corosync.Cpg*)");

	@ArchTest
	static final ArchRule supervisorNeverUsesCpg = noClasses().that()
		.resideInAPackage("dev.samboot.sam.internal..")
		.should()
		.dependOnClassesThat(CPG)
		.because("the supervisor never opens a CPG connection: the active process joins, after register()");

	@ArchTest
	static final ArchRule samFacadeNeverUsesCpg = noClasses().that()
		.resideInAPackage("dev.samboot.sam")
		.should()
		.dependOnClassesThat(CPG)
		.because("Sam and the supervisor's composition run in the supervisor too");

	@ArchTest
	static final ArchRule quorumAndCmapNeverUseCpg = noClasses().that()
		.belongToAnyOf(CorosyncQuorum.class, Cmap.class, CmapStatePublisher.class)
		.should()
		.dependOnClassesThat(CPG)
		.because("the supervisor loads them for the quorum and cmap flags");

	/** The rules can fail: the same condition finds CpgGroup's use of the binding. */
	@ArchTest
	static void theConditionFindsAUseOfTheBinding(JavaClasses classes) {
		assertThat(noClasses().that()
			.haveSimpleName(CpgGroup.class.getSimpleName())
			.should()
			.dependOnClassesThat(CPG.and(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(CpgGroup.class))))
			.evaluate(classes)
			.hasViolation()).as("CpgGroup depends on Cpg").isTrue();
		assertThat(noClasses().that()
			.belongToAnyOf(CorosyncQuorum.class)
			.should()
			.dependOnClassesThat(CPG)
			.evaluate(classes)
			.hasViolation()).as("CorosyncQuorum does not").isFalse();
	}

}
