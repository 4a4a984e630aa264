package dev.samboot.corosync;

import java.util.List;

import dev.samboot.sam.SamException;

/**
 * Whether this process reaches a running corosync, for the tests (and benchmarks) that
 * need one and skip, saying why, without it.
 */
public final class RunningCorosync {

	private RunningCorosync() {
	}

	/**
	 * Try corosync's cmap service.
	 * @return {@code null} when it answers, else why not
	 */
	public static String cmapUnavailableReason() {
		try (Cmap cmap = Cmap.connect()) {
			return null;
		}
		catch (SamException ex) {
			return ex.getMessage();
		}
	}

	/**
	 * Try corosync's cpg service (libcpg loaded, a handle initialized and answering).
	 * @return {@code null} when it answers, else why not
	 */
	public static String cpgUnavailableReason() {
		try (Cpg cpg = Cpg.initialize(new CpgCallbacks() {

			@Override
			public void deliver(String group, int nodeId, int pid, byte[] message) {
			}

			@Override
			public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left,
					List<CpgAddress> joined) {
			}

		})) {
			cpg.localGet();
			return null;
		}
		catch (SamException ex) {
			return ex.getMessage();
		}
	}

}
