package dev.samboot.benchmarks;

/**
 * A bare JVM that only sleeps: the yardstick for the supervisor's resident memory.
 */
public final class Sleeper {

	private Sleeper() {
	}

	public static void main(String[] args) throws InterruptedException {
		long seconds = (args.length > 0) ? Long.parseLong(args[0]) : 60;
		System.out.println("sleeping");
		System.out.flush();
		Thread.sleep(seconds * 1000);
	}

}
