package dev.samboot.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The test PostgreSQL itself: it starts, keeps its data across a stop and a start on the
 * same port, refuses connections while stopped, and leaves neither a process nor its
 * directory behind.
 */
class PostgresServerIT {

	@Test
	@Timeout(120)
	void startsStopsStartsAgainAndCleansUp() throws Exception {
		long pid;
		Path log;
		Path directory;
		try (PostgresServer postgres = PostgresServer.start("harness")) {
			log = postgres.log();
			directory = postgres.directory();
			assertThat(directory.resolve("data/PG_VERSION")).exists();
			execute(postgres, "create table kept (value int)");
			execute(postgres, "insert into kept values (42)");
			long first = postgres.pid().orElseThrow();
			postgres.stop();
			assertThat(postgres.isRunning()).isFalse();
			assertThat(ProcessHandle.of(first).filter(ProcessHandle::isAlive)).isEmpty();
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> execute(postgres, "select 1"));
			postgres.start();
			assertThat(query(postgres, "select value from kept")).isEqualTo(42);
			pid = postgres.pid().orElseThrow();
		}
		assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
		assertThat(directory).doesNotExist();
		assertThat(Files.readString(log)).contains("database system is ready to accept connections")
			.contains("database system is shut down");
	}

	private static void execute(PostgresServer postgres, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private static int query(PostgresServer postgres, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "");
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getInt(1);
		}
	}

}
