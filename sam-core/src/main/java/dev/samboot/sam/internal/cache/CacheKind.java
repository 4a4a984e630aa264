package dev.samboot.sam.internal.cache;

import java.util.Optional;

/**
 * Which cache a JDK gets, and the name of its archive in the cache directory. The two
 * kinds are trained and used differently (see {@link CacheCommands}), so everything that
 * depends on the JDK follows from this one choice.
 */
enum CacheKind {

	/** Dynamic AppCDS archive. */
	CDS("app.jsa"),

	/** AOT cache (JEP 483, 514, 515). */
	AOT("app.aot");

	/** The oldest JDK with {@code -XX:ArchiveClassesAtExit}. */
	static final int FIRST_DYNAMIC_CDS = 13;

	/** The oldest JDK with {@code -XX:AOTMode} and {@code -XX:AOTCache} (JEP 483). */
	static final int FIRST_AOT_CACHE = 24;

	private final String fileName;

	CacheKind(String fileName) {
		this.fileName = fileName;
	}

	String fileName() {
		return this.fileName;
	}

	/**
	 * The cache for a JDK feature version: the AOT cache wherever the JDK has it, the
	 * dynamic archive before that.
	 * @param feature the version, such as 17 or 25
	 * @return the kind, or empty when the JDK has neither
	 */
	static Optional<CacheKind> forFeature(int feature) {
		if (feature >= FIRST_AOT_CACHE) {
			return Optional.of(AOT);
		}
		return (feature >= FIRST_DYNAMIC_CDS) ? Optional.of(CDS) : Optional.empty();
	}

}
