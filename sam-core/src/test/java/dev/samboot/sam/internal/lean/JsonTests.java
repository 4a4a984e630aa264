package dev.samboot.sam.internal.lean;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lean supervisor's JSON, read back by Jackson: any string survives the round trip,
 * and the text stays one line of printable ASCII.
 */
class JsonTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void everyCharacterOfAStringSurvivesTheRoundTrip() {
		StringBuilder every = new StringBuilder();
		for (char c = 0; c < 0x3000; c++) {
			every.append(c);
		}
		List<String> texts = new ArrayList<>(List.of("", "plain", "\"quoted\" and \\back\\slashed\\",
				"line\nbreak\r\ntab\tbell\u0007nul\u0000del\u007f", "caf\u00e9 \u20ac \u2028\u2029 \ud83d\ude00 \ufeff",
				"</script>{}[],:", every.toString()));
		for (String text : texts) {
			String json = Json.object((object) -> object.add("text", text));
			assertThat(json).as("printable ASCII").matches("[\\x20-\\x7e]*");
			assertThat(this.mapper.readTree(json).path("text").asString()).isEqualTo(text);
		}
	}

	@Test
	void namesAreEscapedToo() {
		String json = Json.object((object) -> object.add("a\"b\nc\u00e9", "value"));
		assertThat(this.mapper.readTree(json).path("a\"b\nc\u00e9").asString()).isEqualTo("value");
	}

	@Test
	void membersKeepTheirOrderAndNest() {
		String json = Json.object((object) -> object.add("text", "x")
			.add("nothing", (String) null)
			.addIfPresent("absent", null)
			.add("number", -42L)
			.addNumber("decimal", "1725459730.385")
			.add("nested", (nested) -> nested.add("inner", (inner) -> inner.add("deep", 7L)).add("after", "y"))
			.add("empty", (empty) -> {
			}));
		assertThat(json).isEqualTo("{\"text\":\"x\",\"nothing\":null,\"number\":-42,\"decimal\":1725459730.385,"
				+ "\"nested\":{\"inner\":{\"deep\":7},\"after\":\"y\"},\"empty\":{}}");
		JsonNode node = this.mapper.readTree(json);
		assertThat(node.propertyNames()).containsExactly("text", "nothing", "number", "decimal", "nested", "empty");
		assertThat(node.path("nothing").isNull()).isTrue();
		assertThat(node.path("decimal").decimalValue()).isEqualByComparingTo("1725459730.385");
		assertThat(node.path("nested").path("inner").path("deep").asInt()).isEqualTo(7);
	}

}
