package dev.samboot.sam.internal.lean;

import java.util.function.Consumer;

/**
 * Writes one JSON object, member by member, in the order they are added, for the lean
 * supervisor's structured log lines (the lean JVM has no JSON library). Strings are
 * escaped as RFC 8259 requires, and everything outside printable ASCII is written as a
 * {@code \\uXXXX} escape, so that a line reads the same whatever the console's charset.
 */
final class Json {

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	private final StringBuilder out;

	private boolean empty = true;

	private Json(StringBuilder out) {
		this.out = out;
	}

	/**
	 * Write an object.
	 * @param members adds the members
	 * @return the object's text
	 */
	static String object(Consumer<Json> members) {
		StringBuilder out = new StringBuilder(256);
		new Json(out).members(members);
		return out.toString();
	}

	/**
	 * Add a string member; {@code null} is written as JSON's {@code null}.
	 * @param name the name
	 * @param value the value
	 * @return this object
	 */
	Json add(String name, String value) {
		name(name);
		if (value == null) {
			this.out.append("null");
		}
		else {
			quote(value, this.out);
		}
		return this;
	}

	/**
	 * Add a string member unless the value is {@code null}.
	 * @param name the name
	 * @param value the value, or {@code null} to leave the member out
	 * @return this object
	 */
	Json addIfPresent(String name, String value) {
		return (value != null) ? add(name, value) : this;
	}

	/**
	 * Add a number member.
	 * @param name the name
	 * @param value the value
	 * @return this object
	 */
	Json add(String name, long value) {
		name(name);
		this.out.append(value);
		return this;
	}

	/**
	 * Add a number member written as given.
	 * @param name the name
	 * @param number a JSON number, such as {@code 1725459730.385}
	 * @return this object
	 */
	Json addNumber(String name, String number) {
		name(name);
		this.out.append(number);
		return this;
	}

	/**
	 * Add an object member.
	 * @param name the name
	 * @param members adds the nested object's members
	 * @return this object
	 */
	Json add(String name, Consumer<Json> members) {
		name(name);
		new Json(this.out).members(members);
		return this;
	}

	private void members(Consumer<Json> members) {
		this.out.append('{');
		members.accept(this);
		this.out.append('}');
	}

	private void name(String name) {
		if (!this.empty) {
			this.out.append(',');
		}
		this.empty = false;
		quote(name, this.out);
		this.out.append(':');
	}

	/**
	 * Append a JSON string.
	 * @param text the text
	 * @param out where to append it
	 */
	static void quote(CharSequence text, StringBuilder out) {
		out.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				case '\b' -> out.append("\\b");
				case '\f' -> out.append("\\f");
				default -> {
					if (c < 0x20 || c > 0x7e) {
						// surrogate pairs come out as two escapes, as JSON writes them
						out.append("\\u")
							.append(HEX[(c >> 12) & 0xf])
							.append(HEX[(c >> 8) & 0xf])
							.append(HEX[(c >> 4) & 0xf])
							.append(HEX[c & 0xf]);
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

}
