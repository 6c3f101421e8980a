package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/** What the chat tests share: the built-in model's replies, global settings pointing at a fake, responders. */
final class ChatFixtures {
  /** The provider id and model the fake is configured as. */
  static final String COMPAT = "openai-compatible";
  static final String FAKE_MODEL = FakeModelServer.DEFAULT_MODEL;

  /**
   * The built-in offline provider's fixed texts, copied from {@code otterbot.provider.builtin}'s {@code Script}: a user
   * notices every word of them, so a change there must be a deliberate change here.
   */
  static final String BUILTIN_LABEL = "[Built-in offline model: no language model is configured, so this reply is a fixed"
      + " template, not generated text.]";
  static final String BUILTIN_HOW_TO = "To chat with a real model, configure a provider in the settings (PUT"
      + " /api/settings/global): an OpenAI or Anthropic API key, or the base URL of a local LM Studio, Ollama or other"
      + " OpenAI-compatible server, and choose one of its models as the default chat model. Offline commands: /tools"
      + " lists the tools, /tool <name> {json arguments} calls one.";

  private ChatFixtures() {}

  /** The built-in model's whole reply to an ordinary message. */
  static String builtinReply(String userText) {
    return BUILTIN_LABEL + " You said: \"" + userText.strip() + "\". " + BUILTIN_HOW_TO;
  }

  /** The built-in model streams word by word: each piece is a word with its following space. */
  static List<String> words(String text) {
    var out = new ArrayList<String>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ' ') {
        out.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }

  /**
   * A {@code PUT /api/settings/global} body making {@code openai-compatible/fake-model} the default chat model, with the
   * fake's base URL and, when not null, an API key.
   */
  static ObjectNode settings(FakeModelServer fake, String apiKey) {
    ObjectNode body = Http.JSON.createObjectNode();
    body.put("theme", "obsidian");
    body.putObject("defaultChatModel").put("provider", COMPAT).put("modelId", FAKE_MODEL);
    body.putObject("defaultEmbeddingModel").put("provider", COMPAT).put("modelId", FAKE_MODEL);
    ObjectNode entry = body.putObject("providers").putObject(COMPAT);
    entry.put("baseUrl", fake.baseUrl());
    if (apiKey != null) {
      entry.put("apiKey", apiKey);
    }
    return body;
  }

  /** Points the server's global settings at the fake (and asserts the 200). */
  static JsonNode useFake(ServerProcess server, FakeModelServer fake, String apiKey) {
    Http.Response r = server.http().put("/api/settings/global", settings(fake, apiKey));
    JsonNode json = server.http().expect(r, 200);
    assertEquals(COMPAT, json.path("defaultChatModel").path("provider").asText(), () -> server.explain(r));
    return json;
  }

  /** A responder for chat requests; model listings get the default {@code fake-model}. */
  static Function<RecordedRequest, Reply> chat(Function<RecordedRequest, Reply> chat) {
    return request -> request.isChat() ? chat.apply(request) : Reply.models(FAKE_MODEL);
  }

  /** The chat requests of turns whose newest user text contains {@code marker}, in arrival order. */
  static List<RecordedRequest> requestsWith(FakeModelServer fake, String marker) {
    return fake.requests().stream().filter(r -> r.isChat() && !isLearning(r) && r.lastUserText().contains(marker))
        .toList();
  }

  /** The newest request of a chat turn (not one of the learning that follows an ended conversation). */
  static RecordedRequest lastTurn(FakeModelServer fake) {
    List<RecordedRequest> turns = fake.requests().stream().filter(r -> r.isChat() && !isLearning(r)).toList();
    return turns.get(turns.size() - 1);
  }

  /**
   * A request of the end-of-conversation learning (the agent's model summarises, extracts facts, updates the profile,
   * maybe writes a skill): it runs in the background after a client closes or disconnects, with the same model.
   */
  static boolean isLearning(RecordedRequest r) {
    String system = r.system();
    return system.startsWith("You summarise a conversation") || system.startsWith("You extract durable facts")
        || system.startsWith("You maintain a profile of the user") || system.startsWith("You decide whether a"
        + " conversation taught a reusable skill");
  }

  /** The messages of a request without the system prompt, as {@code role: content} lines. */
  static List<String> history(RecordedRequest request) {
    return request.messages().stream().filter(m -> !m.path("role").asText().equals("system"))
        .map(m -> m.path("role").asText() + ": " + content(m.path("content"))).toList();
  }

  static String content(JsonNode content) {
    if (content.isTextual()) {
      return content.textValue();
    }
    var text = new StringBuilder();
    content.forEach(part -> text.append(part.path("text").asText("")));
    return text.toString();
  }

  /** A unique word to tell this test's requests from any other's. */
  static String marker(String prefix) {
    return prefix + "-" + Long.toString(System.nanoTime(), 36);
  }
}
