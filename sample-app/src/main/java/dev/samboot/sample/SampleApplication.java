package dev.samboot.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small web application supervised by samboot. Run the jar: the process you start
 * becomes the supervisor and starts this application again as instance 1; see
 * {@code /actuator/sam}.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
