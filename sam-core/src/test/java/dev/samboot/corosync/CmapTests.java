package dev.samboot.corosync;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Cmap} against the local corosync: strings and u64 values go in and come back,
 * are listed by prefix and deleted, as {@code corosync-cmapctl} sees them; failures are
 * {@link SamException}s with corosync's error. The tests that need corosync are skipped,
 * saying why, when it does not run; the one for "not running" runs only then.
 */
@Timeout(30)
class CmapTests {

	private final String prefix = "samboot.test." + ProcessHandle.current().pid() + ".";

	private static void assumeCorosync() {
		String reason = RunningCorosync.cmapUnavailableReason();
		assumeTrue(reason == null, () -> "corosync is not running here, skipping: " + reason);
	}

	@AfterEach
	void removeTestKeys() throws Exception {
		if (RunningCorosync.cmapUnavailableReason() == null) {
			CorosyncProcessTests.cmapctl("-D", this.prefix);
		}
	}

	@Test
	void stringsAndU64GoInComeBackAreListedAndDeleted() throws Exception {
		assumeCorosync();
		try (Cmap cmap = Cmap.connect()) {
			cmap.setString(this.prefix + "name", "grüße, samboot");
			cmap.setString(this.prefix + "empty", "");
			cmap.setUint64(this.prefix + "big", -1L);
			cmap.setUint64(this.prefix + "small", 42);
			cmap.setUint32(this.prefix + "u32", 7);

			assertThat(cmap.getString(this.prefix + "name")).isEqualTo("grüße, samboot");
			assertThat(cmap.getString(this.prefix + "empty")).isEmpty();
			assertThat(cmap.getUint64(this.prefix + "big")).isEqualTo(-1L);
			assertThat(Long.toUnsignedString(cmap.getUint64(this.prefix + "big"))).isEqualTo("18446744073709551615");
			assertThat(cmap.getUint64(this.prefix + "small")).isEqualTo(42);
			assertThat(cmap.getUint32(this.prefix + "u32")).isEqualTo(7);
			assertThat(cmap.keys(this.prefix)).containsExactlyInAnyOrder(this.prefix + "name", this.prefix + "empty",
					this.prefix + "big", this.prefix + "small", this.prefix + "u32");

			assertThat(CorosyncProcessTests.cmapctl("-g", this.prefix + "big"))
				.contains("(u64) = 18446744073709551615");
			assertThat(CorosyncProcessTests.cmapctl("-g", this.prefix + "small")).contains("(u64) = 42");
			assertThat(CorosyncProcessTests.cmapctl("-g", this.prefix + "name")).contains("(str) = ");

			cmap.setString(this.prefix + "name", "changed");
			assertThat(cmap.getString(this.prefix + "name")).isEqualTo("changed");

			cmap.delete(this.prefix + "name");
			cmap.delete(this.prefix + "big");
			assertThat(cmap.keys(this.prefix)).containsExactlyInAnyOrder(this.prefix + "empty", this.prefix + "small",
					this.prefix + "u32");
			assertThat(error(() -> cmap.getString(this.prefix + "name"))).isEqualTo(CsError.NOT_EXIST);
			assertThat(error(() -> cmap.getUint64(this.prefix + "big"))).isEqualTo(CsError.NOT_EXIST);
			assertThat(error(() -> cmap.delete(this.prefix + "name"))).isEqualTo(CsError.NOT_EXIST);
			assertThat(CorosyncProcessTests.cmapctl("-g", this.prefix + "name")).contains("CS_ERR_NOT_EXIST");
			cmap.delete(this.prefix + "empty");
			cmap.delete(this.prefix + "small");
			cmap.delete(this.prefix + "u32");
			assertThat(cmap.keys(this.prefix)).isEmpty();
		}
	}

	@Test
	void keysSetByAnOperatorAreReadBack() throws Exception {
		assumeCorosync();
		CorosyncProcessTests.cmapctl("-s", this.prefix + "operator", "str", "set by hand");
		CorosyncProcessTests.cmapctl("-s", this.prefix + "count", "u64", "123456789012");
		try (Cmap cmap = Cmap.connect()) {
			assertThat(cmap.getString(this.prefix + "operator")).isEqualTo("set by hand");
			assertThat(cmap.getUint64(this.prefix + "count")).isEqualTo(123456789012L);
			assertThat(cmap.keys(this.prefix)).containsExactlyInAnyOrder(this.prefix + "operator",
					this.prefix + "count");
		}
	}

	@Test
	void wrongTypesNamesAndHandlesAreClearErrors() {
		assumeCorosync();
		Cmap cmap = Cmap.connect();
		try {
			cmap.setString(this.prefix + "text", "x");
			cmap.setUint64(this.prefix + "number", 1);
			SamException wrongType = catchThrowableOfType(SamException.class,
					() -> cmap.getUint64(this.prefix + "text"));
			assertThat(wrongType.error()).isEqualTo(CsError.INVALID_PARAM);
			assertThat(wrongType.getMessage()).contains(this.prefix + "text");
			assertThat(error(() -> cmap.getString(this.prefix + "number"))).isEqualTo(CsError.INVALID_PARAM);
			assertThat(error(() -> cmap.getUint32(this.prefix + "number"))).isEqualTo(CsError.INVALID_PARAM);
			assertThat(error(() -> cmap.setString(this.prefix + "x".repeat(300), "x")))
				.isEqualTo(CsError.NAME_TOO_LONG);
			assertThat(cmap.keys("samboot.no.such.prefix.")).isEmpty();
		}
		finally {
			cmap.close();
		}
		cmap.close();
		SamException closed = catchThrowableOfType(SamException.class, () -> cmap.getString(this.prefix + "text"));
		assertThat(closed.error()).isEqualTo(CsError.BAD_HANDLE);
		assertThat(closed.getMessage()).contains("closed");
		assertThat(error(() -> cmap.keys(this.prefix))).isEqualTo(CsError.BAD_HANDLE);
	}

	@Test
	void connectingWithoutARunningCorosyncIsALibraryError() {
		assumeFalse(RunningCorosync.cmapUnavailableReason() == null, "corosync is running here");
		SamException ex = catchThrowableOfType(SamException.class, Cmap::connect);
		assertThat(ex.error()).isEqualTo(CsError.LIBRARY);
		assertThat(ex.getMessage()).contains("corosync");
		SamException quorum = catchThrowableOfType(SamException.class, () -> new CorosyncQuorum().start((q) -> {
		}));
		assertThat(quorum.error()).isEqualTo(CsError.LIBRARY);
		assertThat(quorum.getMessage()).contains("corosync");
	}

	@Test
	void aMissingClientLibraryIsALibraryErrorThatSaysToInstallCorosync() {
		SamException ex = catchThrowableOfType(SamException.class,
				() -> CorosyncLibraries.load(CorosyncLibraries.Cmap.class, "libcmap", "samboot-no-such-library").get());
		assertThat(ex.error()).isEqualTo(CsError.LIBRARY);
		assertThat(ex.getMessage()).contains("libcmap").contains("install");
	}

	private static CsError error(Runnable call) {
		SamException ex = catchThrowableOfType(SamException.class, call::run);
		assertThat(ex).as("expected a SamException").isNotNull();
		return ex.error();
	}

}
