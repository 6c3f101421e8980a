package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
