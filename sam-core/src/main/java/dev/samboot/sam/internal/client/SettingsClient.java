package dev.samboot.sam.internal.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.channel.FrameDecoder;
import dev.samboot.sam.internal.channel.MalformedFrameException;
import dev.samboot.sam.internal.channel.Message;
import dev.samboot.sam.internal.channel.Message.SettingsAnswer;
import dev.samboot.sam.internal.process.SamEnvironment;

/**
 * Instance 1's side of the settings connection, which comes before its channel connection
 * when its supervisor started before the settings were known: one frame out
 * ({@link Message.Settings} or {@link Message.Detach}), one {@link SettingsAnswer} back.
 */
public final class SettingsClient {

	/**
	 * How long to wait for the answer: the supervisor checks that corosync can be reached
	 * before it answers.
	 */
	static final long ANSWER_TIMEOUT_SECONDS = 60;

	private SettingsClient() {
	}

	/**
	 * Connect to the supervisor, send one message and return its answer.
	 * @param coordinates where the supervisor listens
	 * @param message the message, made from the channel's token and this process's pid
	 * @return the answer
	 * @throws SamException with {@link CsError#LIBRARY} when the supervisor cannot be
	 * reached or does not answer
	 */
	public static SettingsAnswer exchange(SamEnvironment.Coordinates coordinates,
			BiFunction<byte[], Long, Message> message) {
		ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "sam-settings-timeout");
			thread.setDaemon(true);
			return thread;
		});
		try (SocketChannel channel = ActiveClient.open(coordinates, ActiveClient.CONNECT_WAIT_NANOS)) {
			// closing the channel ends a read that waits too long
			timer.schedule(() -> closeQuietly(channel), ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			ByteBuffer frame = Codec
				.encode(message.apply(HexFormat.of().parseHex(coordinates.token()), ProcessHandle.current().pid()));
			while (frame.hasRemaining()) {
				channel.write(frame);
			}
			Message answer = FrameDecoder.readMessage(channel, Codec.maxFrameBytes(0));
			if (!(answer instanceof SettingsAnswer settingsAnswer)) {
				throw new MalformedFrameException("unexpected " + answer.getClass().getSimpleName());
			}
			return settingsAnswer;
		}
		catch (IOException | MalformedFrameException | IllegalArgumentException ex) {
			throw new SamException(CsError.LIBRARY,
					"Cannot hand the settings to the supervisor at " + coordinates.socket() + ": " + ex.getMessage(),
					ex);
		}
		finally {
			timer.shutdownNow();
		}
	}

	private static void closeQuietly(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// the exchange reports the closed channel
		}
	}

}
