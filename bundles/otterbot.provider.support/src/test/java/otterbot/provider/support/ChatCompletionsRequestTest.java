package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;

/** The request body is written straight to bytes; these pin it down to the byte. */
class ChatCompletionsRequestTest {
  private static final String WEATHER = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}";

  private static String body(ChatRequest request) {
    return new String(ChatCompletionsRequest.body(request, "max_tokens"), StandardCharsets.UTF_8);
  }

  @Test
  void everyKindOfMessageAndToolIsWrittenInOrder() {
    var call = new ToolCall("call-1", "weather", "{\"city\":\"Oslo\"}");
    var request = new ChatRequest("m1", "be \"brief\"\n", List.of(
        ChatMessage.user("hi 🦦 <b>"),
        ChatMessage.assistant("", List.of(call)),
        ChatMessage.toolResult(call, "{\"temp\":3}"),
        ChatMessage.assistant("Cold", List.of(call)),
        ChatMessage.assistant("Bye", List.of())),
        List.of(new ToolSpec("weather", "Weather now", WEATHER), new ToolSpec("ping", null, " ")),
        Map.of("KEY", "secret"), 256);

    assertEquals("{\"model\":\"m1\",\"stream\":true,\"messages\":["
        + "{\"role\":\"system\",\"content\":\"be \\\"brief\\\"\\n\"},"
        // Jackson writes a character outside the BMP as its escaped surrogate pair, as the tree writer did.
        + "{\"role\":\"user\",\"content\":\"hi \\uD83E\\uDDA6 <b>\"},"
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call-1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call-1\",\"content\":\"{\\\"temp\\\":3}\"},"
        + "{\"role\":\"assistant\",\"content\":\"Cold\",\"tool_calls\":[{\"id\":\"call-1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
        + "{\"role\":\"assistant\",\"content\":\"Bye\"}],"
        + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"description\":\"Weather now\","
        + "\"parameters\":" + WEATHER + "}},"
        + "{\"type\":\"function\",\"function\":{\"name\":\"ping\",\"description\":\"\","
        + "\"parameters\":{\"type\":\"object\",\"properties\":{}}}}],"
        + "\"max_tokens\":256}", body(request));
  }

  @Test
  void noSystemPromptToolsOrLimitLeavesThemOut() {
    assertEquals("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        body(new ChatRequest("m", "", List.of(ChatMessage.user("x")), List.of(), Map.of(), 0)));
  }

  @Test
  void aSchemaThatIsNotOneJsonObjectIsRefusedEveryTimeAndAGoodOneIsSentAsWritten() {
    for (String bad : List.of("[1]", "{\"type\":\"object\"} trailing", "{\"a\":", "not json")) {
      var request = new ChatRequest("m", "", List.of(ChatMessage.user("x")), List.of(new ToolSpec("t", "", bad)),
          Map.of(), 0);
      for (int i = 0; i < 2; i++) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> body(request), bad);
        assertEquals("the tool t declares parameters that are not a JSON object", e.getMessage());
      }
    }
    String spaced = "{ \"type\": \"object\",\n  \"properties\": {} }";
    var good = new ChatRequest("m", "", List.of(ChatMessage.user("x")), List.of(new ToolSpec("t", "", spaced)),
        Map.of(), 0);
    for (int i = 0; i < 2; i++) {
      String written = body(good);
      assertEquals(spaced, written.substring(written.indexOf("\"parameters\":") + 13, written.length() - 4));
      assertEquals("object", Json.parseOrNull(written).path("tools").path(0).path("function").path("parameters")
          .path("type").asText(), "the body stays JSON");
    }
  }

  /**
   * Long texts are written from what was kept of an earlier request, to the same bytes as when written anew: every
   * character class the escaping treats differently, and a text too short to be kept.
   */
  @Test
  void aHistoryWrittenAgainIsTheSameToTheByte() throws Exception {
    String tricky = "quote \" \\ back\\slash /slash\n\r\t\b\f \u0000\u0001\u001f \u007f é ü ß € 🦦 \uD83E"
        + " lone \uDDA6 surrogates <script>&amp;</script>\u2028\u2029";
    List<String> texts = List.of(tricky.repeat(20), "x".repeat(EscapedTexts.MIN_CHARS), "short " + tricky,
        "t123456789012 ".repeat(200));
    var messages = new java.util.ArrayList<ChatMessage>();
    for (String text : texts) {
      messages.add(ChatMessage.user(text));
      messages.add(ChatMessage.assistant(text, List.of()));
      messages.add(ChatMessage.toolResult(new ToolCall("c", "t", "{}"), text));
    }
    var request = new ChatRequest("m", "system", messages, List.of(), Map.of(), 0);

    var fresh = new java.io.ByteArrayOutputStream();
    try (var g = Json.MAPPER.getFactory().createGenerator(fresh)) {
      g.writeStartArray();
      for (String text : texts) {
        g.writeString(text);
      }
      g.writeEndArray();
    }
    var texts2 = new EscapedTexts(EscapedTexts.DEFAULT_MAX_BYTES);
    for (int round = 0; round < 2; round++) {
      var kept = new java.io.ByteArrayOutputStream();
      try (var g = Json.MAPPER.getFactory().createGenerator(kept)) {
        g.writeStartArray();
        for (String text : texts) {
          texts2.write(g, text);
        }
        g.writeEndArray();
      }
      assertEquals(fresh.toString(StandardCharsets.UTF_8), kept.toString(StandardCharsets.UTF_8), "round " + round);
    }
    assertEquals(3, texts2.keptTexts(), "the short text is not kept");

    String first = body(request);
    assertEquals(first, body(request), "the same body from what was kept");
    List<Object> sent = new java.util.ArrayList<>();
    Json.parseOrNull(first).path("messages").forEach(m -> sent.add(m.path("content").asText()));
    assertEquals("system", sent.get(0));
    for (int i = 0; i < texts.size(); i++) {
      assertEquals(List.of(texts.get(i), texts.get(i), texts.get(i)), sent.subList(1 + 3 * i, 4 + 3 * i),
          "text " + i + " reads back as it was");
    }
  }

  /** The kept texts stay within their budget, dropping the least recently used; a text over an eighth is not kept. */
  @Test
  void theKeptTextsStayWithinTheirBudget() {
    var texts = new EscapedTexts(80_000);
    for (int i = 0; i < 100; i++) {
      String text = i + " " + "y".repeat(4_000);
      assertEquals(text.length(), texts.escaped(text).length);
      assertTrue(texts.keptBytes() <= 80_000, () -> "kept " + texts.keptBytes());
    }
    assertEquals(19, texts.keptTexts());
    String recent = "99 " + "y".repeat(4_000);
    org.junit.jupiter.api.Assertions.assertSame(texts.escaped(recent), texts.escaped(recent), "kept");
    texts.escaped("z".repeat(10_001));
    assertEquals(19, texts.keptTexts(), "more than an eighth of the budget is not kept");
  }
}
