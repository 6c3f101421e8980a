package otterbot.provider.builtin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;

class BuiltinProviderTest {
  static final List<ToolSpec> TOOLS = List.of(new ToolSpec("list_agents", "d", "{}"), new ToolSpec("get_current_time", "d", "{}"));

  /** Records what the provider streams. */
  static final class Recorder implements ChatSink {
    final List<String> pieces = new ArrayList<>();
    final List<ToolCall> calls = new ArrayList<>();
    String finish;

    @Override
    public void text(String delta) {
      pieces.add(delta);
    }

    @Override
    public void toolCall(ToolCall call) {
      calls.add(call);
    }

    @Override
    public void completed(String finishReason) {
      finish = finishReason;
    }

    @Override
    public void failed(String message) {
      throw new AssertionError("failed: " + message);
    }

    String text() {
      return String.join("", pieces);
    }
  }

  static Recorder chat(List<ChatMessage> messages) {
    var sink = new Recorder();
    new BuiltinProvider().chat(new ChatRequest("offline", "", messages, TOOLS, null, 0), sink);
    return sink;
  }

  @Test
  void anOrdinaryMessageGetsTheLabelTheWordsBackAndHowToConfigureAModel() {
    Recorder r = chat(List.of(ChatMessage.user("What is the capital of France?")));
    assertEquals(Script.LABEL + " You said: \"What is the capital of France?\". " + Script.HOW_TO, r.text());
    assertTrue(r.pieces.size() > 10, "streamed word by word: " + r.pieces.size());
    assertEquals("stop", r.finish);
    assertTrue(r.calls.isEmpty());
  }

  @Test
  void theSameRequestGetsTheSameReply() {
    var messages = List.of(ChatMessage.user("hello"));
    assertEquals(chat(messages).pieces, chat(messages).pieces);
  }

  @Test
  void toolCommandCallsTheToolAndTheNextStepQuotesItsResult() {
    Recorder first = chat(List.of(ChatMessage.user("/tool list_agents {\"x\": 1}")));
    assertEquals(List.of(new ToolCall("builtin-1", "list_agents", "{\"x\":1}")), first.calls);
    assertEquals("tool_calls", first.finish);
    assertTrue(first.text().startsWith(Script.LABEL), first.text());

    ToolCall call = first.calls.get(0);
    Recorder second = chat(List.of(ChatMessage.user("/tool list_agents {\"x\": 1}"),
        ChatMessage.assistant(first.text(), List.of(call)), ChatMessage.toolResult(call, "[{\"id\":\"a\"}]")));
    assertEquals("Tool list_agents returned: [{\"id\":\"a\"}]", second.text());
    assertTrue(second.calls.isEmpty());
  }

  @Test
  void toolCommandWithoutArgumentsSendsAnEmptyObject() {
    assertEquals("{}", chat(List.of(ChatMessage.user("/tool get_current_time"))).calls.get(0).arguments());
  }

  @Test
  void unknownToolsAndBadArgumentsAreExplainedNotCalled() {
    Recorder unknown = chat(List.of(ChatMessage.user("/tool rm_rf {}")));
    assertTrue(unknown.calls.isEmpty());
    assertTrue(unknown.text().contains("no tool named 'rm_rf'") && unknown.text().contains("get_current_time, list_agents"),
        unknown.text());
    Recorder bad = chat(List.of(ChatMessage.user("/tool list_agents [1,2]")));
    assertTrue(bad.calls.isEmpty());
    assertTrue(bad.text().contains("must be a JSON object"), bad.text());
  }

  @Test
  void toolsCommandListsTheTools() {
    assertEquals(Script.LABEL + " Tools: get_current_time, list_agents.", chat(List.of(ChatMessage.user("/tools"))).text());
  }
}
