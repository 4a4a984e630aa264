package dev.samboot.sam.internal.cache;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which cache a JDK gets.
 */
class CacheKindTests {

	@Test
	void theKindOfCacheFollowsTheFeatureVersionOfTheLaunchedJdk() {
		assertThat(CacheKind.forFeature(17)).hasValue(CacheKind.CDS);
		assertThat(CacheKind.forFeature(21)).hasValue(CacheKind.CDS);
		assertThat(CacheKind.forFeature(24)).hasValue(CacheKind.AOT);
		assertThat(CacheKind.forFeature(25)).hasValue(CacheKind.AOT);
		assertThat(CacheKind.forFeature(11)).isEmpty();
	}

	@Test
	void theBoundariesAndTheArchiveNames() {
		assertThat(CacheKind.forFeature(12)).isEmpty();
		assertThat(CacheKind.forFeature(13)).hasValue(CacheKind.CDS);
		assertThat(CacheKind.forFeature(23)).hasValue(CacheKind.CDS);
		assertThat(CacheKind.CDS.fileName()).isEqualTo("app.jsa");
		assertThat(CacheKind.AOT.fileName()).isEqualTo("app.aot");
	}

}
