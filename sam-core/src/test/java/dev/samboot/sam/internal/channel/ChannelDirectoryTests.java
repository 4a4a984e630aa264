package dev.samboot.sam.internal.channel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.internal.channel.ChannelDirectory.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The channel directory's owner file, and the removal of directories whose supervisor was
 * killed: real processes, a temporary directory of the test's own.
 */
class ChannelDirectoryTests {

	@TempDir
	Path temp;

	@Test
	void aNewDirectoryNamesThisProcessAsItsOwner() throws IOException {
		ChannelDirectory directory = ChannelDirectory.create();
		try {
			assertThat(ChannelDirectory.isChannelName(directory.path().getFileName().toString())).isTrue();
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.path())))
				.isEqualTo("rwx------");
			Optional<Owner> owner = Owner
				.parse(Files.readString(directory.path().resolve(ChannelDirectory.OWNER_FILE), StandardCharsets.UTF_8));
			assertThat(owner).isPresent();
			assertThat(owner.get().pid()).isEqualTo(ProcessHandle.current().pid());
			assertThat(owner.get().pidNamespace()).startsWith("pid:[");
			assertThat(owner.get().runs()).isTrue();
			assertThat(owner).isEqualTo(Owner.current());
		}
		finally {
			directory.delete();
		}
		assertThat(directory.path()).doesNotExist();
	}

	@Test
	void onlyDirectoriesOfSupervisorsThatAreGoneAreRemoved() throws Exception {
		Owner self = Owner.current().orElseThrow();
		Owner gone = endedProcess(self);
		Path abandoned = channel("samboot-00000000000000a2", gone.toText());
		Files.writeString(abandoned.resolve("sam.sock"), "");
		Path reused = channel("samboot-00000000000000a3",
				new Owner(self.pid(), self.startTime() + 1, self.pidNamespace()).toText());
		// this process's, as the sweeping supervisor's own is
		Path running = channel("samboot-00000000000000a4", self.toText());
		Path otherNamespace = channel("samboot-00000000000000a5",
				new Owner(gone.pid(), gone.startTime(), "pid:[1]").toText());
		Path noOwner = channel("samboot-00000000000000a6", null);
		Path malformed = channel("samboot-00000000000000a7", "pid twelve\nstart 3\npid-namespace pid:[1]\n");
		Path otherName = channel("samboot-handoff-" + gone.pid() + "-00000000000000a8", gone.toText());
		Path notADirectory = this.temp.resolve("samboot-00000000000000a9");
		Files.writeString(notADirectory, gone.toText());

		List<Path> removed = ChannelDirectory.removeAbandoned(List.of(this.temp));

		assertThat(removed).containsExactlyInAnyOrder(abandoned, reused);
		assertThat(abandoned).doesNotExist();
		assertThat(reused).as("its pid now names a process started at another time").doesNotExist();
		assertThat(List.of(running, otherNamespace, noOwner, malformed, otherName, notADirectory))
			.allMatch(Files::exists);
	}

	@Test
	void ownerFilesOfLaterVersionsAreRead() {
		assertThat(Owner.parse("pid 12\nstart 345\npid-namespace pid:[4026531836]\nhost example\n"))
			.contains(new Owner(12, 345, "pid:[4026531836]"));
		assertThat(Owner.parse("pid 12\nstart 345\n")).isEmpty();
		assertThat(Owner.parse("")).isEmpty();
	}

	@Test
	void channelNamesAreThoseTheSupervisorMakes() {
		assertThat(ChannelDirectory.isChannelName("samboot-0123456789abcdef")).isTrue();
		assertThat(ChannelDirectory.isChannelName("samboot-0123456789ABCDEF")).isFalse();
		assertThat(ChannelDirectory.isChannelName("samboot-0123456789abcde")).isFalse();
		assertThat(ChannelDirectory.isChannelName("samboot-handoff-12-0123")).isFalse();
		assertThat(ChannelDirectory.isChannelName("other-0123456789abcdef")).isFalse();
	}

	/** The owner a supervisor that ended would have left: a child started and reaped. */
	private static Owner endedProcess(Owner self) throws Exception {
		Process process = new ProcessBuilder("sleep", "30").start();
		try {
			long start = Owner.startTime(process.pid()).orElseThrow();
			return new Owner(process.pid(), start, self.pidNamespace());
		}
		finally {
			process.destroyForcibly();
			assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	private Path channel(String name, String owner) throws IOException {
		Path directory = Files.createDirectory(this.temp.resolve(name));
		if (owner != null) {
			Files.writeString(directory.resolve(ChannelDirectory.OWNER_FILE), owner, StandardCharsets.UTF_8);
		}
		return directory;
	}

}
