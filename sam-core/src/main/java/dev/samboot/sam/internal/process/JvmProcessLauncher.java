package dev.samboot.sam.internal.process;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.samboot.sam.internal.cache.StartupCache;
import dev.samboot.sam.internal.supervisor.ActiveProcess;
import dev.samboot.sam.internal.supervisor.ProcessLauncher;

/**
 * Launches an instance by starting this JVM's command again, in the same working
 * directory, with the inherited environment plus the {@code SAM_*} variables and
 * inherited standard streams.
 */
public final class JvmProcessLauncher implements ProcessLauncher {

	private final List<String> command;

	private final Map<String, String> channelEnvironment;

	private final StartupCache startupCache;

	public JvmProcessLauncher(List<String> command, Map<String, String> channelEnvironment) {
		this(command, channelEnvironment, null);
	}

	public JvmProcessLauncher(List<String> command, Map<String, String> channelEnvironment, StartupCache startupCache) {
		this.command = List.copyOf(command);
		this.channelEnvironment = Map.copyOf(channelEnvironment);
		this.startupCache = startupCache;
	}

	@Override
	public ActiveProcess launch(Map<String, String> environment) throws IOException {
		List<String> launched = (this.startupCache != null) ? this.startupCache.command() : this.command;
		ProcessBuilder builder = new ProcessBuilder(launched).inheritIO()
			.directory(new File(System.getProperty("user.dir")));
		Map<String, String> env = builder.environment();
		for (String name : SamEnvironment.ALL) {
			env.remove(name);
		}
		// the supervisor is the service's main process: only it talks to systemd
		for (String name : SamEnvironment.SYSTEMD) {
			env.remove(name);
		}
		env.putAll(this.channelEnvironment);
		env.putAll(environment);
		ActiveProcess process = ChildProcess.of(builder.start());
		if (this.startupCache != null) {
			this.startupCache.launched(process, launched);
		}
		return process;
	}

	@Override
	public boolean relaunchPlain(ActiveProcess process, int status) {
		return this.startupCache != null && this.startupCache.endedBeforeStart(process.pid(), status);
	}

	@Override
	public void started(ActiveProcess process) {
		if (this.startupCache != null) {
			this.startupCache.started(process.pid());
		}
	}

	public List<String> command() {
		return this.command;
	}

}
