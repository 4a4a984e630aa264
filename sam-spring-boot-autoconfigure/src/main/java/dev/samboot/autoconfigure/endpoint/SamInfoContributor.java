package dev.samboot.autoconfigure.endpoint;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.samboot.sam.Sam;
import dev.samboot.sam.Signals;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * The {@code sam} section of {@code /actuator/info}: which instance answers, under which
 * supervisor and policy, and how often it was restarted.
 */
public class SamInfoContributor implements InfoContributor {

	private final Sam sam;

	/**
	 * Create a new instance.
	 * @param sam the registered handle
	 */
	public SamInfoContributor(Sam sam) {
		this.sam = sam;
	}

	@Override
	public void contribute(Info.Builder builder) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("instanceId", this.sam.instanceId());
		details.put("pid", this.sam.pid());
		details.put("supervisorPid", this.sam.supervisorPid());
		details.put("policy", this.sam.policy().toString());
		details.put("interval", this.sam.interval().toString());
		details.put("warnSignal", Signals.name(this.sam.warnSignal()));
		details.put("restarts", this.sam.totals().restarts());
		details.put("state", this.sam.state().name());
		builder.withDetail("sam", details);
	}

}
