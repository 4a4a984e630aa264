package dev.samboot.autoconfigure;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.jayway.jsonpath.JsonPath;

import org.springframework.beans.BeanUtils;

/**
 * The configuration metadata of this module as an IDE sees it: the file the configuration
 * processor generated and the hand-written additional file, merged as the processor
 * merges them (an entry of the additional file completes or replaces the generated one of
 * the same name). Read from the directory {@link SamProperties} was loaded from, so that
 * another jar's metadata on the class path is never read instead.
 *
 * @param properties the properties by name
 * @param hints the hints by property name
 */
record ConfigurationMetadata(Map<String, Map<String, Object>> properties, Map<String, Map<String, Object>> hints) {

	static final String GENERATED = "META-INF/spring-configuration-metadata.json";

	static final String ADDITIONAL = "META-INF/additional-spring-configuration-metadata.json";

	/**
	 * Read this module's metadata.
	 * @return the metadata
	 * @throws IOException if the generated file is missing or cannot be read
	 */
	static ConfigurationMetadata load() throws IOException {
		Path classes;
		try {
			classes = Path.of(SamProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		}
		catch (URISyntaxException ex) {
			throw new IOException(ex);
		}
		Path generated = classes.resolve(GENERATED);
		if (!Files.isRegularFile(generated)) {
			throw new IOException(generated + " is missing: the configuration processor did not run");
		}
		Map<String, Map<String, Object>> properties = new TreeMap<>();
		Map<String, Map<String, Object>> hints = new TreeMap<>();
		merge(generated, properties, hints);
		Path additional = classes.resolve(ADDITIONAL);
		if (Files.isRegularFile(additional)) {
			merge(additional, properties, hints);
		}
		return new ConfigurationMetadata(properties, hints);
	}

	private static void merge(Path file, Map<String, Map<String, Object>> properties,
			Map<String, Map<String, Object>> hints) throws IOException {
		Object json;
		try (InputStream in = Files.newInputStream(file)) {
			json = JsonPath.parse(in).json();
		}
		for (Map<String, Object> property : entries(json, "properties")) {
			properties.merge((String) property.get("name"), new LinkedHashMap<>(property), (old, added) -> {
				old.putAll(added);
				return old;
			});
		}
		for (Map<String, Object> hint : entries(json, "hints")) {
			hints.put((String) hint.get("name"), new LinkedHashMap<>(hint));
		}
	}

	/** The entries of a top-level array, none when the file has no such array. */
	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> entries(Object json, String key) {
		Object found = ((Map<String, Object>) json).get(key);
		return (found != null) ? (List<Map<String, Object>>) found : List.of();
	}

	/**
	 * The names of the {@code sam.*} properties in the metadata.
	 * @return the names
	 */
	Set<String> samPropertyNames() {
		Set<String> names = new TreeSet<>();
		for (String name : this.properties.keySet()) {
			if (name.startsWith("sam.")) {
				names.add(name);
			}
		}
		return names;
	}

	/**
	 * A property's description.
	 * @param name the property
	 * @return the description, or {@code null}
	 */
	String description(String name) {
		Map<String, Object> property = this.properties.get(name);
		return (property != null) ? (String) property.get("description") : null;
	}

	/**
	 * The values of a property's hint, each with its description.
	 * @param name the property
	 * @return the values in the order written, empty without a hint
	 */
	@SuppressWarnings("unchecked")
	Map<String, String> hintValues(String name) {
		Map<String, String> values = new LinkedHashMap<>();
		Map<String, Object> hint = this.hints.get(name);
		if (hint != null && hint.get("values") != null) {
			for (Map<String, Object> value : (List<Map<String, Object>>) hint.get("values")) {
				values.put(String.valueOf(value.get("value")), (String) value.get("description"));
			}
		}
		return values;
	}

	/**
	 * Every property the binder fills from {@code sam.*}, by reflection over
	 * {@link SamProperties}: its components, and the components of the nested records, by
	 * their kebab-case names. A type of samboot's own that is not an enum is a nested
	 * group; anything else is a property.
	 * @return the names, each with its Java type
	 */
	static Map<String, Class<?>> boundProperties() {
		Map<String, Class<?>> names = new TreeMap<>();
		collect("sam", SamProperties.class, names);
		return names;
	}

	private static void collect(String prefix, Class<?> type, Map<String, Class<?>> names) {
		for (Map.Entry<String, Class<?>> property : beanProperties(type).entrySet()) {
			String name = prefix + "." + kebab(property.getKey());
			Class<?> propertyType = property.getValue();
			if (propertyType.getName().startsWith("dev.samboot.") && !propertyType.isEnum()) {
				collect(name, propertyType, names);
			}
			else {
				names.put(name, propertyType);
			}
		}
	}

	private static Map<String, Class<?>> beanProperties(Class<?> type) {
		Map<String, Class<?>> properties = new LinkedHashMap<>();
		if (type.isRecord()) {
			for (RecordComponent component : type.getRecordComponents()) {
				properties.put(component.getName(), component.getType());
			}
		}
		else {
			for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
				if (descriptor.getWriteMethod() != null) {
					properties.put(descriptor.getName(), descriptor.getPropertyType());
				}
			}
		}
		return properties;
	}

	/**
	 * The name the binder and the metadata use: {@code maxRestarts} is
	 * {@code max-restarts}.
	 * @param name a Java name
	 * @return the kebab-case name
	 */
	static String kebab(String name) {
		return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
	}

	/**
	 * The values of an enum as they are written in configuration: {@code QUORUM_QUIT} is
	 * {@code quorum-quit}.
	 * @param type the enum
	 * @return the values
	 */
	static List<String> enumValues(Class<?> type) {
		List<String> values = new ArrayList<>();
		for (Object constant : type.getEnumConstants()) {
			values.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'));
		}
		return values;
	}

}
