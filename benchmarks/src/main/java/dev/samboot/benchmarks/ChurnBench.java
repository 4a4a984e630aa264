package dev.samboot.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether restarts leak: a {@link Probe} supervisor whose instances register, start and
 * exit at once, so it restarts them as fast as JVMs start. After a warm-up, the harness
 * reads the supervisor's open fds and resident memory at checkpoints (an instance that
 * reports and waits), and the figures are the last checkpoint minus the first. A
 * plain-Java program, not the Spring sample, so that a thousand restarts take minutes
 * rather than an hour.
 */
final class ChurnBench {

	static final int WARM_UP_RESTARTS = 10;

	private final Context context;

	private final Jdk jdk;

	ChurnBench(Context context, Jdk jdk) {
		this.context = context;
		this.jdk = jdk;
	}

	/**
	 * Tell live heap from memory the heap has merely touched: after the last checkpoint
	 * was read, the heap in use before and after a full GC.
	 */
	private void heapAfterGc(long pid) {
		Jcmd jcmd = new Jcmd(this.jdk, pid);
		try {
			String before = jcmd.heapUsed();
			jcmd.fullGc();
			this.context.results()
				.note("churn: supervisor heap in use at the end %s, after a full GC %s; RSS then %.1f MB", before,
						jcmd.heapUsed(), ProcFs.rssKb(pid) / 1024.0);
		}
		catch (IOException | InterruptedException ex) {
			this.context.results().note("churn: jcmd failed: %s", ex);
		}
	}

	void run(int restarts) throws IOException, InterruptedException {
		int every = Math.max(1, restarts / 10);
		int first = WARM_UP_RESTARTS + 1;
		int last = first + restarts;
		ProbeServer probes = this.context.probes();
		probes.clear();
		Process supervisor = this.context.processes()
			.start(this.context.program(this.jdk, Probe.class, "churn", probes.socket().toString(),
					Integer.toString(first), Integer.toString(every), Integer.toString(last)),
					this.context.log("churn"));
		long pid = supervisor.pid();
		List<Results.Checkpoint> checkpoints = new ArrayList<>();
		long started = System.nanoTime();
		long deadline = started + Duration.ofSeconds(120).toNanos() + restarts * Duration.ofSeconds(3).toNanos();
		try {
			while (System.nanoTime() - deadline < 0) {
				ProbeServer.Event event = probes.next(Duration.ofSeconds(1));
				if (event == null) {
					if (!supervisor.isAlive()) {
						throw new IllegalStateException("The churn supervisor exited with status "
								+ supervisor.exitValue() + "; see " + this.context.log("churn"));
					}
					continue;
				}
				if (!event.is("ready")) {
					continue;
				}
				int instance = Integer.parseInt(event.word(1));
				this.context.processes().track(Long.parseLong(event.word(2)));
				checkpoints.add(new Results.Checkpoint(instance - 1 - WARM_UP_RESTARTS, ProcFs.rssKb(pid),
						ProcFs.fdCount(pid), ProcFs.threadCount(pid), (System.nanoTime() - started) / 1e9));
				if (instance >= last) {
					heapAfterGc(pid);
					break;
				}
				probes.send(event.connection(), "go");
			}
		}
		finally {
			this.context.processes().kill(supervisor.toHandle());
		}
		Results results = this.context.results();
		results.checkpoints.addAll(checkpoints);
		if (checkpoints.size() < 2 || checkpoints.get(checkpoints.size() - 1).restarts() != restarts) {
			results.note("churn: only %d checkpoints reached, the last after %d restarts", checkpoints.size(),
					checkpoints.isEmpty() ? 0 : checkpoints.get(checkpoints.size() - 1).restarts());
		}
		if (checkpoints.size() < 2) {
			results.put(this.jdk, "restart_fd_growth", Double.NaN, "fds", 0);
			results.put(this.jdk, "restart_rss_growth_mb", Double.NaN, "MB", 1);
			return;
		}
		Results.Checkpoint before = checkpoints.get(0);
		Results.Checkpoint after = checkpoints.get(checkpoints.size() - 1);
		int measured = after.restarts() - before.restarts();
		results.note(
				"churn: %d restarts after %d warm-up ones in %.0f s (%.0f ms each); supervisor fds %d -> %d, "
						+ "threads %d -> %d, RSS %.1f -> %.1f MB (largest %.1f MB)",
				measured, WARM_UP_RESTARTS, after.seconds() - before.seconds(),
				(after.seconds() - before.seconds()) * 1000 / measured, before.fds(), after.fds(), before.threads(),
				after.threads(), before.rssKb() / 1024.0, after.rssKb() / 1024.0,
				checkpoints.stream().mapToLong(Results.Checkpoint::rssKb).max().getAsLong() / 1024.0);
		results.put(this.jdk, "restart_fd_growth", after.fds() - before.fds(), "fds", 0);
		results.put(this.jdk, "restart_rss_growth_mb", (after.rssKb() - before.rssKb()) / 1024.0, "MB", 1);
	}

}
