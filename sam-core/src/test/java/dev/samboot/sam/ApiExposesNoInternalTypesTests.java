package dev.samboot.sam;

import java.util.LinkedHashSet;
import java.util.Set;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasModifiers.Predicates.modifier;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;

/**
 * What an application sees of {@code dev.samboot.sam} (its public classes' public
 * constructors, methods and fields) names no type of {@code dev.samboot.sam.internal}, so
 * the internal packages can change without changing the API. Two members are for
 * samboot's own packages and say so: {@link Sam#create} takes the platform the lean
 * supervisor, the tests and the benchmarks give it, and {@link EarlyLaunch#directory()}
 * hands the channel directory to the lean supervisor.
 */
@AnalyzeClasses(packages = "dev.samboot.sam", importOptions = ImportOption.DoNotIncludeTests.class)
class ApiExposesNoInternalTypesTests {

	private static final String INTERNAL = "dev.samboot.sam.internal..";

	private static final DescribedPredicate<JavaClass> PUBLIC_API_CLASSES = resideInAPackage("dev.samboot.sam")
		.and(modifier(JavaModifier.PUBLIC))
		.as("are public classes of dev.samboot.sam");

	private static final DescribedPredicate<JavaCodeUnit> FOR_SAMBOOTS_OWN_PACKAGES = DescribedPredicate.describe(
			"Sam.create or EarlyLaunch.directory, which samboot's own packages use",
			(unit) -> (unit.getOwner().isEquivalentTo(Sam.class) && unit.getName().equals("create"))
					|| (unit.getOwner().isEquivalentTo(EarlyLaunch.class) && unit.getName().equals("directory")));

	@ArchTest
	static final ArchRule publicSignaturesNameNoInternalType = codeUnits().that()
		.areDeclaredInClassesThat(PUBLIC_API_CLASSES)
		.and()
		.arePublic()
		.and(DescribedPredicate.not(FOR_SAMBOOTS_OWN_PACKAGES))
		.should(nameNoTypeOf(INTERNAL));

	@ArchTest
	static final ArchRule publicFieldsHaveNoInternalType = fields().that()
		.areDeclaredInClassesThat(PUBLIC_API_CLASSES)
		.and()
		.arePublic()
		.should()
		.notHaveRawType(resideInAPackage(INTERNAL));

	private static ArchCondition<JavaCodeUnit> nameNoTypeOf(String packages) {
		return new ArchCondition<>(
				"name no type of " + packages + " in their parameters, return type or throws clause") {

			@Override
			public void check(JavaCodeUnit unit, ConditionEvents events) {
				Set<JavaClass> named = new LinkedHashSet<>(unit.getReturnType().getAllInvolvedRawTypes());
				unit.getParameterTypes().forEach((type) -> named.addAll(type.getAllInvolvedRawTypes()));
				named.addAll(unit.getThrowsClause().getTypes());
				named.stream()
					.filter(resideInAPackage(packages))
					.forEach((type) -> events
						.add(SimpleConditionEvent.violated(unit, unit.getFullName() + " names " + type.getName())));
			}

		};
	}

}
