package dev.samboot.sam.internal.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.samboot.sam.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link PosixSignals} reads from {@code /proc}.
 */
class PosixSignalsTests {

	@Test
	void anIgnoredSignalIsReadFromTheSigIgnMask(@TempDir Path dir) throws IOException {
		Path background = Files.writeString(dir.resolve("background"), "Name:\tjava\nSigIgn:\t0000000000000006\n");
		Path foreground = Files.writeString(dir.resolve("foreground"), "Name:\tjava\nSigIgn:\t0000000000000004\n");
		Path garbled = Files.writeString(dir.resolve("garbled"), "SigIgn:\tzz\n");
		assertThat(PosixSignals.ignored(background, Signals.SIGINT)).isTrue();
		assertThat(PosixSignals.ignored(background, Signals.SIGQUIT)).isTrue();
		assertThat(PosixSignals.ignored(background, Signals.SIGTERM)).isFalse();
		assertThat(PosixSignals.ignored(foreground, Signals.SIGINT)).isFalse();
		assertThat(PosixSignals.ignored(garbled, Signals.SIGINT)).isFalse();
		assertThat(PosixSignals.ignored(dir.resolve("missing"), Signals.SIGINT)).isFalse();
	}

}
