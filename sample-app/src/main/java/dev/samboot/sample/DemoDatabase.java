package dev.samboot.sample;

import dev.samboot.sam.Sam;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Profile;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The database demo, with the {@code postgres} profile only: at start-up it creates its
 * table if it is missing, so an instance cannot start while the database is away (as an
 * application whose schema is checked or migrated at start-up); then {@code GET /demo/db}
 * reads from the database and {@code POST /demo/db} writes to it. A database that goes
 * away later makes these answer 503 and Actuator's {@code db} indicator DOWN; it does not
 * make the instance unhealthy to samboot, which checks the {@code liveness} group.
 */
@RestController
@Profile("postgres")
@RequestMapping(path = "/demo/db", produces = "text/plain")
public class DemoDatabase implements InitializingBean {

	private static final Log logger = LogFactory.getLog(DemoDatabase.class);

	private final JdbcClient jdbc;

	private final int instance;

	public DemoDatabase(JdbcClient jdbc, ObjectProvider<Sam> sam) {
		this.jdbc = jdbc;
		Sam handle = sam.getIfAvailable();
		this.instance = (handle != null) ? handle.instanceId() : 0;
	}

	@Override
	public void afterPropertiesSet() {
		this.jdbc
			.sql("create table if not exists demo_row (id bigserial primary key, instance int not null, "
					+ "created timestamptz not null default now())")
			.update();
		logger.info("Table demo_row is ready (" + rows() + " rows)");
	}

	/**
	 * Count the rows and read the database's clock.
	 * @return such as {@code 3 rows at 2026-11-23 19:02:44.9+00}, or 503 when the
	 * database does not answer
	 */
	@GetMapping
	public ResponseEntity<String> read() {
		try {
			String now = this.jdbc.sql("select now()::text").query(String.class).single();
			return ResponseEntity.ok(rows() + " rows at " + now + "\n");
		}
		catch (DataAccessException ex) {
			return unavailable("GET", ex);
		}
	}

	/**
	 * Insert a row, marked with this instance's id.
	 * @return the number of rows after it, or 503 when the database does not answer
	 */
	@PostMapping
	public ResponseEntity<String> insert() {
		try {
			this.jdbc.sql("insert into demo_row (instance) values (?)").param(this.instance).update();
			return ResponseEntity.ok(rows() + "\n");
		}
		catch (DataAccessException ex) {
			return unavailable("POST", ex);
		}
	}

	private long rows() {
		return this.jdbc.sql("select count(*) from demo_row").query(Long.class).single();
	}

	private static ResponseEntity<String> unavailable(String method, DataAccessException ex) {
		logger.warn(method + " /demo/db: the database does not answer: " + ex.getMostSpecificCause());
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.body("database unavailable: " + ex.getMostSpecificCause().getMessage() + "\n");
	}

}
