package dev.samboot.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.samboot.sam.CsError;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import dev.samboot.sam.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The early hook: when it registers, when it stays off and why, and how wrong values stop
 * start-up before anything is launched.
 */
@ExtendWith(OutputCaptureExtension.class)
class SamApplicationListenerTests {

	private final List<SamSettings> registered = new ArrayList<>();

	@Test
	void registersWithTheBoundSettingsWhereNothingKeepsItOff() {
		SamApplicationListener listener = new SamApplicationListener((env) -> null, this.registered::add);
		listener
			.onApplicationEvent(event(environment("sam.interval=750ms", "sam.policy=quit", "sam.warn-signal=USR1")));
		assertThat(this.registered).singleElement().satisfies((settings) -> {
			assertThat(settings.interval().toMillis()).isEqualTo(750);
			assertThat(settings.policy()).isEqualTo(RecoveryPolicy.QUIT);
			assertThat(settings.warnSignal()).isEqualTo(Signals.SIGUSR1);
		});
	}

	@Test
	void staysOffWhenAConditionSaysSo() {
		SamApplicationListener listener = new SamApplicationListener((env) -> "a reason", this.registered::add);
		listener.onApplicationEvent(event(environment()));
		assertThat(this.registered).isEmpty();
	}

	@Test
	void disabledSkipsEvenTheValidation() {
		SamApplicationListener listener = new SamApplicationListener((env) -> null, this.registered::add);
		listener.onApplicationEvent(event(environment("sam.enabled=false", "sam.policy=reboot")));
		assertThat(this.registered).isEmpty();
	}

	@Test
	void wrongValueStopsStartUpBeforeRegistering() {
		SamApplicationListener listener = new SamApplicationListener((env) -> null, this.registered::add);
		assertThatExceptionOfType(InvalidSamPropertyException.class)
			.isThrownBy(() -> listener.onApplicationEvent(event(environment("sam.interval=-2s"))))
			.withMessageContaining("sam.interval");
		assertThat(this.registered).isEmpty();
	}

	@Test
	void launchesInstanceOneEarlyOncePerJvmWhenNothingKnownAtStartKeepsItOff() {
		AtomicInteger launches = new AtomicInteger();
		AtomicBoolean tried = new AtomicBoolean();
		SamApplicationListener listener = new SamApplicationListener((env) -> null, this.registered::add, () -> {
			launches.incrementAndGet();
			return Optional.empty();
		}, tried);
		listener.onApplicationEvent(starting("--sam.enabled=false"));
		listener.onApplicationEvent(starting("--sam.supervisor.early-launch=false"));
		assertThat(launches).hasValue(0);
		listener.onApplicationEvent(starting("--server.port=0"));
		listener.onApplicationEvent(starting());
		assertThat(launches).as("once per JVM").hasValue(1);
		SamApplicationListener keptOff = new SamApplicationListener((env) -> "under tests", this.registered::add,
				() -> {
					launches.incrementAndGet();
					return Optional.empty();
				}, new AtomicBoolean());
		keptOff.onApplicationEvent(starting());
		assertThat(launches).hasValue(1);
	}

	@Test
	void earlyLaunchSwitchesAreReadFromTheCommandLineSystemPropertiesAndEnvironmentInSpringsOrder() {
		Properties none = new Properties();
		Properties off = new Properties();
		off.setProperty("sam.supervisor.early-launch", "false");
		assertThat(EarlySwitches.earlyLaunchWanted(new String[0], none, Map.of())).isTrue();
		assertThat(EarlySwitches.earlyLaunchWanted(new String[] { "--sam.enabled=false" }, none, Map.of())).isFalse();
		assertThat(EarlySwitches.earlyLaunchWanted(new String[0], off, Map.of())).isFalse();
		assertThat(
				EarlySwitches.earlyLaunchWanted(new String[] { "--sam.supervisor.early-launch=true" }, off, Map.of()))
			.as("the command line wins")
			.isTrue();
		assertThat(EarlySwitches.earlyLaunchWanted(new String[0], none, Map.of("SAM_SUPERVISOR_EARLY_LAUNCH", "false")))
			.isFalse();
		assertThat(EarlySwitches.earlyLaunchWanted(new String[0], none, Map.of("SAM_ENABLED", "FALSE"))).isFalse();
		assertThat(EarlySwitches.earlyLaunchWanted(new String[] { "--sam.enabled=maybe" }, none, Map.of()))
			.as("left to the full check")
			.isFalse();
	}

	@Test
	void instanceOneOfAWaitingSupervisorSendsTheBoundSettingsBeforeItRegisters() {
		RecordingDeferral deferral = new RecordingDeferral(true);
		SamApplicationListener listener = new SamApplicationListener((env) -> null, (settings) -> {
			assertThat(deferral.sent).as("sent before registering").hasSize(1);
			this.registered.add(settings);
		}, null, new AtomicBoolean(), deferral);
		listener.onApplicationEvent(event(environment("sam.interval=750ms", "sam.policy=quit")));
		listener.onApplicationEvent(prepared());
		assertThat(deferral.sent).singleElement().satisfies((settings) -> {
			assertThat(settings.interval().toMillis()).isEqualTo(750);
			assertThat(settings.policy()).isEqualTo(RecoveryPolicy.QUIT);
		});
		assertThat(this.registered).hasSize(1);
		assertThat(deferral.detached).isEmpty();
	}

	@Test
	void anActiveProcessRegistersBesideTheRestOfTheStartUpAndJoinsBeforeTheContextRefreshes() throws Exception {
		CountDownLatch answer = new CountDownLatch(1);
		List<String> threads = new ArrayList<>();
		SamApplicationListener listener = new SamApplicationListener((env) -> null, (settings) -> {
			threads.add(Thread.currentThread().getName());
			await(answer);
			this.registered.add(settings);
		}, null, new AtomicBoolean(), SamApplicationListener.Deferral.NONE, () -> true, new AtomicBoolean());
		listener.onApplicationEvent(event(environment("sam.interval=750ms")));
		assertThat(this.registered).as("the supervisor has not answered yet").isEmpty();
		CompletableFuture<Void> joined = CompletableFuture.runAsync(() -> listener.onApplicationEvent(prepared()));
		assertThatExceptionOfType(TimeoutException.class).as("the prepared context waits for the registration")
			.isThrownBy(() -> joined.get(200, TimeUnit.MILLISECONDS));
		answer.countDown();
		joined.get(10, TimeUnit.SECONDS);
		assertThat(this.registered).singleElement()
			.satisfies((settings) -> assertThat(settings.interval().toMillis()).isEqualTo(750));
		assertThat(threads).containsExactly("sam-register");
	}

	@Test
	void aRegistrationThatFailsInTheBackgroundStopsStartUpWhenTheContextIsPrepared() {
		SamException refused = new SamException(CsError.INVALID_PARAM, "refused by the supervisor");
		SamApplicationListener listener = new SamApplicationListener((env) -> null, (settings) -> {
			throw refused;
		}, null, new AtomicBoolean(), SamApplicationListener.Deferral.NONE, () -> true, new AtomicBoolean());
		listener.onApplicationEvent(event(environment()));
		assertThatExceptionOfType(SamException.class).isThrownBy(() -> listener.onApplicationEvent(prepared()))
			.isSameAs(refused);
		assertThatNoException().as("joined once").isThrownBy(() -> listener.onApplicationEvent(prepared()));
	}

	@Test
	void aSecondApplicationInTheJvmDoesNotRegisterWhileTheFirstRegistrationIsUnderWay() {
		CountDownLatch answer = new CountDownLatch(1);
		AtomicBoolean registering = new AtomicBoolean();
		AtomicInteger registrations = new AtomicInteger();
		SamApplicationListener.Registrar registrar = (settings) -> {
			registrations.incrementAndGet();
			await(answer);
		};
		SamApplicationListener first = new SamApplicationListener((env) -> null, registrar, null, new AtomicBoolean(),
				SamApplicationListener.Deferral.NONE, () -> true, registering);
		SamApplicationListener second = new SamApplicationListener((env) -> null, registrar, null, new AtomicBoolean(),
				SamApplicationListener.Deferral.NONE, () -> true, registering);
		first.onApplicationEvent(event(environment()));
		second.onApplicationEvent(event(environment()));
		second.onApplicationEvent(prepared());
		answer.countDown();
		first.onApplicationEvent(prepared());
		assertThat(registrations).hasValue(1);
	}

	@Test
	void aWrongValueInAnActiveProcessStopsStartUpOnTheMainThreadBeforeAnythingIsSent() {
		SamApplicationListener listener = new SamApplicationListener((env) -> null, this.registered::add, null,
				new AtomicBoolean(), SamApplicationListener.Deferral.NONE, () -> true, new AtomicBoolean());
		assertThatExceptionOfType(InvalidSamPropertyException.class)
			.isThrownBy(() -> listener.onApplicationEvent(event(environment("sam.policy=sometimes"))))
			.withMessageContaining("sam.policy");
		listener.onApplicationEvent(prepared());
		assertThat(this.registered).isEmpty();
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void instanceOneOfAWaitingSupervisorDetachesWhenTheConfigurationTurnsSupervisionOff() {
		RecordingDeferral deferral = new RecordingDeferral(true);
		new SamApplicationListener((env) -> null, this.registered::add, null, new AtomicBoolean(), deferral)
			.onApplicationEvent(event(environment("sam.enabled=false")));
		assertThat(deferral.detached).containsExactly("sam.enabled is false");
		assertThat(deferral.sent).isEmpty();
		assertThat(this.registered).isEmpty();
		RecordingDeferral keptOff = new RecordingDeferral(true);
		new SamApplicationListener((env) -> "a reason", this.registered::add, null, new AtomicBoolean(), keptOff)
			.onApplicationEvent(event(environment()));
		assertThat(keptOff.detached).containsExactly("a reason");
	}

	@Test
	void instanceOneOfAWaitingSupervisorSendsNothingForAWrongValue() {
		RecordingDeferral deferral = new RecordingDeferral(true);
		SamApplicationListener listener = new SamApplicationListener((env) -> null, this.registered::add, null,
				new AtomicBoolean(), deferral);
		assertThatExceptionOfType(InvalidSamPropertyException.class)
			.isThrownBy(() -> listener.onApplicationEvent(event(environment("sam.interval=-2s"))))
			.withMessageContaining("sam.interval");
		assertThat(deferral.sent).isEmpty();
		assertThat(deferral.detached).as("its exit status tells the supervisor").isEmpty();
		assertThat(this.registered).isEmpty();
	}

	@Test
	void theProcessTheUserStartedBecomesTheSupervisorFirstWhenTheStartLeavesTheLeanSupervisorOn() {
		RecordingDeferral deferral = new RecordingDeferral(false);
		AtomicBoolean tried = new AtomicBoolean();
		SamStartingListener listener = new SamStartingListener((env) -> null, () -> false, deferral, tried);
		assertThat(listener.getOrder()).isEqualTo(org.springframework.core.Ordered.HIGHEST_PRECEDENCE);
		listener.onApplicationEvent(starting());
		listener.onApplicationEvent(starting());
		assertThat(deferral.supervised).as("once per JVM").hasValue(1);
		for (String[] args : new String[][] { { "--sam.supervisor.lean=false" }, { "--sam.quorum.provider=zookeeper" },
				{ "--sam.enabled=false" }, { "--sam.supervisor.early-launch=false" } }) {
			RecordingDeferral off = new RecordingDeferral(false);
			new SamStartingListener((env) -> null, () -> false, off, new AtomicBoolean())
				.onApplicationEvent(starting(args));
			assertThat(off.supervised).as(String.join(" ", args)).hasValue(0);
		}
		RecordingDeferral active = new RecordingDeferral(false);
		new SamStartingListener((env) -> null, () -> true, active, new AtomicBoolean()).onApplicationEvent(starting());
		assertThat(active.supervised).as("an active process").hasValue(0);
		RecordingDeferral keptOff = new RecordingDeferral(false);
		new SamStartingListener((env) -> "under tests", () -> false, keptOff, new AtomicBoolean())
			.onApplicationEvent(starting());
		assertThat(keptOff.supervised).hasValue(0);
	}

	@Test
	void theFirstListenerTakesOverWhatSambootsLauncherSaidInsteadOfTryingAgain() {
		RecordingDeferral deferral = new RecordingDeferral(false);
		AtomicBoolean tried = new AtomicBoolean();
		new SamStartingListener((env) -> null, () -> false, deferral, tried, () -> "the lean supervisor failed")
			.onApplicationEvent(starting());
		assertThat(deferral.supervised).hasValue(0);
		assertThat(SamStartingListener.notDeferred()).isEqualTo("the lean supervisor failed");
		assertThat(SamStartingListener.launcherOutcome()).as("no launcher in this JVM").isNull();
	}

	@Test
	void theLaunchersDecisionIsTheListenersWithoutSpring() {
		assertThat(LauncherSupervision.superviseBeforeSpringBoot(new String[] { "--sam.enabled=false" }, false, null))
			.contains("turn supervision");
		assertThat(LauncherSupervision.superviseBeforeSpringBoot(new String[0], true, null))
			.startsWith("running under tests");
	}

	@Test
	void deferredSwitchesAreReadFromTheCommandLineSystemPropertiesAndEnvironment() {
		Properties none = new Properties();
		Properties notLean = new Properties();
		notLean.setProperty("sam.supervisor.lean", "false");
		assertThat(EarlySwitches.deferredWanted(new String[0], none, Map.of())).isTrue();
		assertThat(EarlySwitches.deferredWanted(new String[0], notLean, Map.of())).isFalse();
		assertThat(EarlySwitches.deferredWanted(new String[0], none, Map.of("SAM_SUPERVISOR_LEAN", "false"))).isFalse();
		assertThat(EarlySwitches.deferredWanted(new String[0], none, Map.of("SAM_QUORUM_PROVIDER", "ZooKeeper")))
			.isFalse();
		assertThat(EarlySwitches.deferredWanted(new String[] { "--sam.quorum.provider=corosync" }, none, Map.of()))
			.isTrue();
	}

	/** Records what the listener asks of a waiting supervisor. */
	private static final class RecordingDeferral implements SamApplicationListener.Deferral {

		private final boolean pending;

		private final AtomicInteger supervised = new AtomicInteger();

		private final List<SamSettings> sent = new ArrayList<>();

		private final List<String> detached = new ArrayList<>();

		RecordingDeferral(boolean pending) {
			this.pending = pending;
		}

		@Override
		public String supervise() {
			this.supervised.incrementAndGet();
			return "recorded";
		}

		@Override
		public boolean pending() {
			return this.pending;
		}

		@Override
		public void send(SamSettings settings) {
			this.sent.add(settings);
		}

		@Override
		public void detach(String reason) {
			this.detached.add(reason);
		}

	}

	@Test
	void runsAfterConfigDataAndLogging() {
		assertThat(new SamApplicationListener().getOrder())
			.isGreaterThan(org.springframework.boot.support.EnvironmentPostProcessorApplicationListener.DEFAULT_ORDER)
			.isGreaterThan(org.springframework.boot.context.logging.LoggingApplicationListener.DEFAULT_ORDER);
	}

	@Test
	void underJUnitARealApplicationIsNotSupervised() {
		try (ConfigurableApplicationContext context = application().run()) {
			assertThat(Sam.current()).isEmpty();
			assertThat(context.getBeansOfType(Sam.class)).isEmpty();
		}
		assertThat(StayOffConditions.reason(new MockEnvironment())).startsWith("running under tests");
	}

	@Test
	void wrongValueInARealApplicationIsExplainedByTheFailureAnalyzer(CapturedOutput output) {
		assertThatExceptionOfType(InvalidSamPropertyException.class)
			.isThrownBy(() -> application().run("--sam.policy=reboot"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("the property 'sam.policy' has the value 'reboot'")
			.contains("Set 'sam.policy' to one of quit, restart, quorum-quit, quorum-restart");
		assertThat(Sam.current()).isEmpty();
	}

	private static SpringApplication application() {
		SpringApplication application = new SpringApplication(Empty.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		return application;
	}

	private static ApplicationEnvironmentPreparedEvent event(MockEnvironment environment) {
		return new ApplicationEnvironmentPreparedEvent(new DefaultBootstrapContext(), new SpringApplication(),
				new String[0], environment);
	}

	private static ApplicationPreparedEvent prepared() {
		return new ApplicationPreparedEvent(new SpringApplication(), new String[0], new GenericApplicationContext());
	}

	private static ApplicationStartingEvent starting(String... args) {
		return new ApplicationStartingEvent(new DefaultBootstrapContext(), new SpringApplication(), args);
	}

	private static MockEnvironment environment(String... pairs) {
		MockEnvironment environment = new MockEnvironment();
		TestPropertyValues.of(pairs).applyTo(environment);
		return environment;
	}

	@Configuration(proxyBeanMethods = false)
	static class Empty {

	}

}
