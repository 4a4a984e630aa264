package dev.samboot.autoconfigure;

import java.time.Duration;

import dev.samboot.corosync.Cpg;
import dev.samboot.sam.SamException;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * {@code sam.cpg.*} checked: the closed process group every instance joins. Every value
 * samboot cannot use is an {@link InvalidSamPropertyException} naming the property, the
 * value and what is allowed, as for the rest of {@code sam.*}.
 *
 * @param group the group's name, or {@code null} for no group
 * @param rejoinTimeout how long the group may stay lost before the instance is unhealthy
 * @param maxMessageBytes the longest message the application may send
 * @param sendTimeout how long a send retries corosync's TRY_AGAIN
 */
public record CpgSettings(String group, Duration rejoinTimeout, int maxMessageBytes, Duration sendTimeout) {

	/**
	 * The longest {@code sam.cpg.send-timeout}: a send that waits longer holds up too
	 * much.
	 */
	static final Duration MAX_SEND_TIMEOUT = Duration.ofMinutes(1);

	/** The largest {@code sam.cpg.max-message-size}: 16 MiB. */
	public static final long MAX_MESSAGE_SIZE = 16L * 1024 * 1024;

	/** How many intervals the group may stay lost unless told otherwise. */
	static final int REJOIN_INTERVALS = 3;

	/** The interval the default rejoin timeout is counted in when sam.interval is 0. */
	private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

	/**
	 * Whether a group is configured.
	 * @return {@code true} when {@code sam.cpg.group} is set
	 */
	public boolean enabled() {
		return this.group != null;
	}

	/**
	 * Bind and check {@code sam.cpg.*} alone, whether supervision is on or off: with
	 * {@code sam.enabled=false} the rest of {@code sam.*} is not read, and a group is
	 * still joined.
	 * @param environment the environment
	 * @return the settings
	 * @throws InvalidSamPropertyException for the first value that cannot be used
	 */
	public static CpgSettings bind(Environment environment) {
		Binder binder = Binder.get(environment);
		try {
			SamProperties.Cpg cpg = binder.bindOrCreate("sam.cpg", SamProperties.Cpg.class);
			Duration interval = (cpg.rejoinTimeout() != null) ? null
					: binder.bind("sam.interval", Duration.class).orElse(DEFAULT_INTERVAL);
			return of(cpg, interval);
		}
		catch (BindException ex) {
			throw SamSettings.invalid(ex);
		}
		catch (InvalidSamPropertyException ex) {
			throw SamSettings.asWritten(ex, environment);
		}
	}

	/**
	 * Check bound properties.
	 * @param cpg the bound {@code sam.cpg.*}
	 * @param interval {@code sam.interval}, which the default rejoin timeout is counted
	 * in; may be {@code null} when the rejoin timeout is set
	 * @return the settings
	 * @throws InvalidSamPropertyException for the first value that cannot be used
	 */
	public static CpgSettings of(SamProperties.Cpg cpg, Duration interval) {
		String group = cpg.group();
		if (group != null) {
			SamSettings.check(!group.isBlank(), "sam.cpg.group", group);
			try {
				Cpg.encodeName(group);
			}
			catch (SamException ex) {
				throw new InvalidSamPropertyException("sam.cpg.group", group, SamSettings.ALLOWED.get("sam.cpg.group"),
						ex);
			}
		}
		Duration rejoinTimeout = cpg.rejoinTimeout();
		if (rejoinTimeout == null) {
			SamSettings.check(interval != null && !interval.isNegative(), "sam.interval", interval);
			rejoinTimeout = (interval.isZero() ? DEFAULT_INTERVAL : interval).multipliedBy(REJOIN_INTERVALS);
		}
		SamSettings.check(rejoinTimeout.compareTo(Duration.ZERO) > 0, "sam.cpg.rejoin-timeout", rejoinTimeout);
		DataSize maxMessageSize = cpg.maxMessageSize();
		SamSettings.check(
				maxMessageSize != null && maxMessageSize.toBytes() >= 1 && maxMessageSize.toBytes() <= MAX_MESSAGE_SIZE,
				"sam.cpg.max-message-size", maxMessageSize);
		Duration sendTimeout = cpg.sendTimeout();
		SamSettings.check(
				sendTimeout != null && !sendTimeout.isNegative() && sendTimeout.compareTo(MAX_SEND_TIMEOUT) <= 0,
				"sam.cpg.send-timeout", sendTimeout);
		return new CpgSettings(group, rejoinTimeout, (int) maxMessageSize.toBytes(), sendTimeout);
	}

}
