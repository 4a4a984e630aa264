package dev.samboot.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.samboot.corosync.Cpg;
import dev.samboot.corosync.CpgAddress;
import dev.samboot.corosync.CpgCallbacks;
import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;

/**
 * The Java side of the CPG benchmark ({@link CpgBench}): the measurements of
 * {@code benchmarks/cpg/cpgbench.c}, through samboot's {@link Cpg} binding, printing the
 * same lines ({@code NAME VALUE UNIT}).
 *
 * <pre>
 * CpgClient GROUP SECONDS ROUND_TRIPS
 * </pre>
 *
 * For 64 B, 1 KiB and 64 KiB messages: the throughput of one sender multicasting in
 * agreed order for SECONDS (after 0.5 s of warm-up), retrying at once on
 * {@link CsError#TRY_AGAIN} and counting the retries, with a second thread dispatching
 * ({@link Cpg.DispatchFlag#BLOCKING}) and counting the sender's own messages delivered;
 * and the round trip of one message, sent and dispatched on one thread
 * ({@link Cpg.DispatchFlag#ONE}) until it is delivered back, ROUND_TRIPS times after
 * ROUND_TRIPS / 5 not counted. corosync's dispatch needs a large stack, so both run on
 * threads with 8 MiB.
 */
public final class CpgClient {

	private static final int[] SIZES = { 64, 1024, 64 * 1024 };

	private static final String[] LABELS = { "64b", "1kib", "64kib" };

	private static final double WARM_UP_SECONDS = 0.5;

	private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(60);

	private static final long STACK_BYTES = 8L << 20;

	private final int pid = (int) ProcessHandle.current().pid();

	/** Written by the dispatching thread only. */
	private volatile long delivered;

	private volatile long lastDeliveryNanos;

	private volatile long lastSequence = -1;

	private CpgClient() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length != 3) {
			System.err.println("usage: CpgClient GROUP SECONDS ROUND_TRIPS");
			System.exit(2);
		}
		String group = args[0];
		double seconds = Double.parseDouble(args[1]);
		int roundTrips = Integer.parseInt(args[2]);
		CpgClient client = new CpgClient();
		Throwable[] failure = new Throwable[1];
		Thread bench = new Thread(null, () -> {
			try {
				client.throughput(group + "-throughput", seconds);
				client.roundTrips(group + "-round-trip", roundTrips);
			}
			catch (Throwable ex) {
				failure[0] = ex;
			}
		}, "cpg-bench", STACK_BYTES);
		bench.start();
		bench.join();
		if (failure[0] != null) {
			System.err.println("CpgClient: " + failure[0]);
			failure[0].printStackTrace();
			System.exit(1);
		}
	}

	private final CpgCallbacks callbacks = new CpgCallbacks() {

		@Override
		public void deliver(String group, int nodeId, int pid, byte[] message) {
			if (pid != CpgClient.this.pid) {
				return;
			}
			if (message.length >= Long.BYTES) {
				CpgClient.this.lastSequence = readLong(message);
			}
			CpgClient.this.lastDeliveryNanos = System.nanoTime();
			CpgClient.this.delivered = CpgClient.this.delivered + 1;
		}

		@Override
		public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left, List<CpgAddress> joined) {
		}

	};

	private Cpg join(String group) {
		Cpg cpg = Cpg.initialize(this.callbacks);
		cpg.join(group);
		return cpg;
	}

	private record Burst(long sent, long retries, double seconds) {
	}

	private void throughput(String group, double seconds) throws InterruptedException {
		Cpg cpg = join(group);
		Thread dispatcher = new Thread(null, () -> {
			try {
				cpg.dispatch(Cpg.DispatchFlag.BLOCKING);
			}
			catch (SamException ex) {
				if (!cpg.isClosed()) {
					throw ex;
				}
			}
		}, "cpg-dispatch", STACK_BYTES);
		dispatcher.setDaemon(true);
		dispatcher.start();
		byte[][] payloads = new byte[SIZES.length][];
		for (int i = 0; i < SIZES.length; i++) {
			payloads[i] = new byte[SIZES[i]];
		}
		for (int i = 0; i < SIZES.length; i++) {
			sendFor(cpg, payloads[i], WARM_UP_SECONDS);
			Burst burst = sendFor(cpg, payloads[i], seconds);
			print("cpg_%s_msgs_per_s %.0f msgs/s", LABELS[i], burst.sent() / burst.seconds());
			print("cpg_%s_mb_per_s %.1f MB/s", LABELS[i], burst.sent() * (double) SIZES[i] / burst.seconds() / 1e6);
			print("cpg_%s_try_again %d retries", LABELS[i], burst.retries());
			print("cpg_%s_sent %d msgs", LABELS[i], burst.sent());
		}
		// closing ends the blocking dispatch
		cpg.close();
		dispatcher.join(TimeUnit.SECONDS.toMillis(5));
	}

	/** Send for a while, then wait until every message sent has been delivered back. */
	private Burst sendFor(Cpg cpg, byte[] payload, double seconds) throws InterruptedException {
		this.delivered = 0;
		long sent = 0;
		long retries = 0;
		long start = System.nanoTime();
		long end = start + (long) (seconds * 1e9);
		while (System.nanoTime() - end < 0) {
			try {
				cpg.mcastJoined(Cpg.Guarantee.AGREED, payload);
				sent++;
			}
			catch (SamException ex) {
				if (ex.error() != CsError.TRY_AGAIN) {
					throw ex;
				}
				retries++;
			}
		}
		long drain = System.nanoTime() + DRAIN_NANOS;
		while (this.delivered < sent) {
			if (System.nanoTime() - drain > 0) {
				throw new IllegalStateException("Only " + this.delivered + " of " + sent + " messages delivered after "
						+ TimeUnit.NANOSECONDS.toSeconds(DRAIN_NANOS) + " s");
			}
			TimeUnit.MILLISECONDS.sleep(1);
		}
		return new Burst(sent, retries, (this.lastDeliveryNanos - start) / 1e9);
	}

	private void roundTrips(String group, int count) {
		Cpg cpg = join(group);
		int warmUp = count / 5;
		long sequence = 0;
		try {
			for (int i = 0; i < SIZES.length; i++) {
				byte[] payload = new byte[SIZES[i]];
				List<Double> rtt = new ArrayList<>(count);
				List<Double> send = new ArrayList<>(count);
				for (int n = -warmUp; n < count; n++) {
					sequence++;
					writeLong(payload, sequence);
					long t0 = System.nanoTime();
					while (true) {
						try {
							cpg.mcastJoined(Cpg.Guarantee.AGREED, payload);
							break;
						}
						catch (SamException ex) {
							if (ex.error() != CsError.TRY_AGAIN) {
								throw ex;
							}
						}
					}
					long t1 = System.nanoTime();
					while (this.lastSequence != sequence) {
						cpg.dispatch(Cpg.DispatchFlag.ONE);
					}
					long t2 = System.nanoTime();
					if (n >= 0) {
						rtt.add((t2 - t0) / 1e3);
						send.add((t1 - t0) / 1e3);
					}
				}
				print("cpg_%s_rtt_p50_us %.1f us", LABELS[i], Stats.median(rtt));
				print("cpg_%s_rtt_p99_us %.1f us", LABELS[i], Stats.percentile(rtt, 99));
				print("cpg_%s_send_p50_us %.1f us", LABELS[i], Stats.median(send));
			}
		}
		finally {
			cpg.close();
		}
	}

	private static void print(String format, Object... args) {
		System.out.println(String.format(Locale.ROOT, format, args));
		System.out.flush();
	}

	/** The sequence number in the first 8 bytes, little-endian. */
	private static long readLong(byte[] bytes) {
		long value = 0;
		for (int i = Long.BYTES - 1; i >= 0; i--) {
			value = (value << 8) | (bytes[i] & 0xff);
		}
		return value;
	}

	private static void writeLong(byte[] bytes, long value) {
		for (int i = 0; i < Long.BYTES; i++) {
			bytes[i] = (byte) (value >>> (8 * i));
		}
	}

}
