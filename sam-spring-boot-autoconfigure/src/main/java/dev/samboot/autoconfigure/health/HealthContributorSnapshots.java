package dev.samboot.autoconfigure.health;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.samboot.autoconfigure.health.ActuatorHealthCheck.HealthSnapshot;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Reads the health of a {@link HealthGroup}'s members straight from Actuator's
 * contributor registries, as the health endpoint would, without needing the endpoint: it
 * exists only when it is exposed, and what samboot checks must not depend on that.
 */
public final class HealthContributorSnapshots implements Callable<HealthSnapshot> {

	private final HealthContributors contributors;

	private final HealthGroup group;

	/**
	 * Create a new instance.
	 * @param contributors the contributors (the registry, plus the reactive one adapted)
	 * @param group what to check
	 */
	public HealthContributorSnapshots(HealthContributors contributors, HealthGroup group) {
		this.contributors = contributors;
		this.group = group;
	}

	/**
	 * Return the paths of the group's members, such as {@code livenessState} or
	 * {@code db/primary}.
	 * @return the members
	 */
	public List<String> members() {
		List<String> members = new ArrayList<>();
		visit("", this.contributors, (path, indicator) -> members.add(path));
		return members;
	}

	@Override
	public HealthSnapshot call() {
		Set<Status> statuses = new LinkedHashSet<>();
		List<String> notUp = new ArrayList<>();
		visit("", this.contributors, (path, indicator) -> {
			Health health = indicator.health(true);
			Status status = (health != null) ? health.getStatus() : Status.UNKNOWN;
			statuses.add(status);
			if (!Status.UP.equals(status)) {
				boolean details = health != null && !health.getDetails().isEmpty();
				notUp.add(path + "=" + status.getCode() + (details ? " " + health.getDetails() : ""));
			}
		});
		if (statuses.isEmpty()) {
			throw new IllegalStateException(this.group.description() + " has no health indicator to check");
		}
		return new HealthSnapshot(this.group.aggregator().getAggregateStatus(statuses).getCode(), notUp);
	}

	private void visit(String prefix, HealthContributors contributors, Visitor visitor) {
		for (HealthContributors.Entry entry : contributors) {
			String path = prefix.isEmpty() ? entry.name() : prefix + "/" + entry.name();
			HealthContributor contributor = entry.contributor();
			if (contributor instanceof CompositeHealthContributor composite) {
				visit(path, composite, visitor);
			}
			else if (contributor instanceof HealthIndicator indicator && this.group.membership().test(path)) {
				visitor.indicator(path, indicator);
			}
		}
	}

	@FunctionalInterface
	private interface Visitor {

		void indicator(String path, HealthIndicator indicator);

	}

}
