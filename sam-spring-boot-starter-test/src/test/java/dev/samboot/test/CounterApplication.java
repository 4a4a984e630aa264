package dev.samboot.test;

import java.nio.ByteBuffer;

import dev.samboot.sam.Sam;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * An application as the tests' subject: a bean that keeps a counter in the supervisor's
 * stored data, as an application's own code would.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class CounterApplication {

	@Bean
	Counter counter(ObjectProvider<Sam> sam) {
		return new Counter(sam);
	}

	/** A counter that survives restarts. */
	static class Counter {

		private final ObjectProvider<Sam> sam;

		Counter(ObjectProvider<Sam> sam) {
			this.sam = sam;
		}

		synchronized long increment() {
			long next = value() + 1;
			this.sam.getObject().dataStore(ByteBuffer.allocate(Long.BYTES).putLong(next).array());
			return next;
		}

		long value() {
			byte[] stored = this.sam.getObject().dataRestore();
			return (stored.length == Long.BYTES) ? ByteBuffer.wrap(stored).getLong() : 0;
		}

	}

}
