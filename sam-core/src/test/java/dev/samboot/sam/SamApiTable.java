package dev.samboot.sam;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

import static dev.samboot.sam.SamState.FINALIZED;
import static dev.samboot.sam.SamState.INITIALIZED;
import static dev.samboot.sam.SamState.NOT_INITIALIZED;
import static dev.samboot.sam.SamState.REGISTERED;
import static dev.samboot.sam.SamState.STARTED;

/**
 * libsam's table of calls, the states they are allowed in and their argument errors, as
 * data. {@link SamApiStateTests} checks the rows it can reach in the test JVM;
 * {@link TestSam}'s {@code api-states} scenario runs the rows of every state in a
 * supervisor and its active process and prints what each call answered.
 */
final class SamApiTable {

	private SamApiTable() {
	}

	/** Every call, with valid arguments, and the states it is allowed in. */
	enum Call {

		INITIALIZE((sam) -> Sam.initialize(100, RecoveryPolicy.QUIT), NOT_INITIALIZED),

		REGISTER(Sam::register, INITIALIZED),

		START(Sam::start, REGISTERED),

		STOP(Sam::stop, STARTED),

		HC_SEND(Sam::hcSend, STARTED),

		HC_CALLBACK_REGISTER((sam) -> sam.hcCallbackRegister(() -> true), REGISTERED),

		WARN_SIGNAL_SET((sam) -> sam.warnSignalSet(Signals.SIGUSR1), INITIALIZED, REGISTERED, STARTED),

		DATA_STORE((sam) -> sam.dataStore(new byte[] { 1 }), INITIALIZED, REGISTERED, STARTED),

		DATA_RESTORE_INTO((sam) -> sam.dataRestore(new byte[64]), INITIALIZED, REGISTERED, STARTED),

		DATA_RESTORE(Sam::dataRestore, INITIALIZED, REGISTERED, STARTED),

		DATA_GET_SIZE(Sam::dataGetSize, INITIALIZED, REGISTERED, STARTED),

		MARK_FAILED(Sam::markFailed, REGISTERED, STARTED),

		CLOSE(Sam::close, INITIALIZED, REGISTERED, STARTED);

		private final Consumer<Sam> invocation;

		private final Set<SamState> allowed;

		Call(Consumer<Sam> invocation, SamState first, SamState... more) {
			this.invocation = invocation;
			this.allowed = EnumSet.of(first, more);
		}

	}

	/**
	 * A wrong argument, the error it gives where its call is allowed, and when it
	 * applies.
	 */
	enum WrongArgument {

		INITIALIZE_NEGATIVE_INTERVAL(Call.INITIALIZE, CsError.INVALID_PARAM,
				(sam) -> Sam.initialize(-1, RecoveryPolicy.QUIT)),

		INITIALIZE_NULL_POLICY(Call.INITIALIZE, CsError.INVALID_PARAM, (sam) -> Sam.initialize(100, null)),

		HC_CALLBACK_REGISTER_NULL_FIRST(Call.HC_CALLBACK_REGISTER, CsError.INVALID_PARAM,
				(sam) -> sam.hcCallbackRegister(null)),

		HC_CALLBACK_REGISTER_WITH_INTERVAL_0(Call.HC_CALLBACK_REGISTER, CsError.INVALID_PARAM,
				(sam) -> sam.hcCallbackRegister(() -> true), (interval, policy) -> interval.isZero()),

		WARN_SIGNAL_0(Call.WARN_SIGNAL_SET, CsError.INVALID_PARAM, (sam) -> sam.warnSignalSet(0)),

		WARN_SIGNAL_NEGATIVE(Call.WARN_SIGNAL_SET, CsError.INVALID_PARAM, (sam) -> sam.warnSignalSet(-9)),

		WARN_SIGNAL_65(Call.WARN_SIGNAL_SET, CsError.INVALID_PARAM, (sam) -> sam.warnSignalSet(65)),

		DATA_STORE_OVER_LIMIT(Call.DATA_STORE, CsError.TOO_BIG,
				(sam) -> sam.dataStore(new byte[sam.dataMaxSize() + 1])),

		DATA_RESTORE_INTO_NULL(Call.DATA_RESTORE_INTO, CsError.INVALID_PARAM, (sam) -> sam.dataRestore(null)),

		DATA_RESTORE_INTO_TOO_SMALL(Call.DATA_RESTORE_INTO, CsError.INVALID_PARAM, (sam) -> {
			sam.dataStore(new byte[8]);
			sam.dataRestore(new byte[7]);
		}),

		MARK_FAILED_WITHOUT_CMAP(Call.MARK_FAILED, CsError.INVALID_PARAM, Sam::markFailed,
				(interval, policy) -> !policy.cmap());

		private final Call call;

		private final CsError error;

		private final Consumer<Sam> invocation;

		private final BiPredicate<Duration, RecoveryPolicy> applies;

		WrongArgument(Call call, CsError error, Consumer<Sam> invocation) {
			this(call, error, invocation, (interval, policy) -> true);
		}

		WrongArgument(Call call, CsError error, Consumer<Sam> invocation,
				BiPredicate<Duration, RecoveryPolicy> applies) {
			this.call = call;
			this.error = error;
			this.invocation = invocation;
			this.applies = applies;
		}

	}

	/**
	 * One row of the table: a call in a state and the answer it must give.
	 *
	 * @param state the state the handle is in
	 * @param call the call
	 * @param name the call or wrong argument
	 * @param expected the error the call must throw
	 * @param invocation the call
	 */
	record Row(SamState state, Call call, String name, CsError expected, Consumer<Sam> invocation) {

		/**
		 * Make the call.
		 * @param sam the handle, in {@link #state()}
		 * @return the error it threw, {@code OK} if it returned, or what else it threw
		 */
		String run(Sam sam) {
			try {
				this.invocation.accept(sam);
				return "OK";
			}
			catch (SamException ex) {
				return ex.error().name();
			}
			catch (RuntimeException ex) {
				return "threw " + ex;
			}
		}

		String line(String answer) {
			return "api " + this.state + " " + this.name + " " + answer;
		}

		String expectedLine() {
			return line(this.expected.name());
		}

		@Override
		public String toString() {
			return this.state + " " + this.name + " -> " + this.expected;
		}

	}

	/**
	 * Return the rows for a state: every call not allowed there (BAD_HANDLE) and every
	 * wrong argument (its error where its call is allowed, BAD_HANDLE elsewhere: the
	 * state is checked first). In NOT_INITIALIZED there is no handle, so only
	 * {@code initialize} has rows.
	 * @param state the state
	 * @param interval the handle's interval
	 * @param policy the handle's policy
	 * @return the rows
	 */
	static List<Row> rows(SamState state, Duration interval, RecoveryPolicy policy) {
		List<Row> rows = new ArrayList<>();
		for (Call call : Call.values()) {
			if (state != NOT_INITIALIZED && !call.allowed.contains(state)) {
				rows.add(new Row(state, call, call.name(), CsError.BAD_HANDLE, call.invocation));
			}
		}
		for (WrongArgument wrong : WrongArgument.values()) {
			if ((state != NOT_INITIALIZED || wrong.call == Call.INITIALIZE) && wrong.applies.test(interval, policy)) {
				CsError expected = wrong.call.allowed.contains(state) ? wrong.error : CsError.BAD_HANDLE;
				rows.add(new Row(state, wrong.call, wrong.name(), expected, wrong.invocation));
			}
		}
		return rows;
	}

	/**
	 * Run every row of a state and print one line per row, for {@link TestSam}.
	 * @param state the state
	 * @param sam the handle in that state, {@code null} in NOT_INITIALIZED
	 * @param interval the interval the handle was (or will be) initialized with
	 * @param policy the policy likewise
	 */
	static void print(SamState state, Sam sam, Duration interval, RecoveryPolicy policy) {
		for (Row row : rows(state, interval, policy)) {
			System.out.println(row.line(row.run(sam)));
		}
	}

}
