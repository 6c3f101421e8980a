package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ToolCall;

/**
 * The decoder reads plain frames (text, finish reason) without a JSON tree and every other frame as a tree; both
 * readings must tell the sink the same things. Each stream below is decoded twice, once as the decoder does it and once
 * with every frame read as a tree, and the sink must hear the same in both.
 */
class ChatCompletionsDecoderTest {

  /** What the sink heard, in order; tool calls without their made-up ids (those are random). */
  static final class Recording implements ChatSink {
    final List<String> heard = new ArrayList<>();

    @Override
    public void text(String delta) {
      heard.add("text " + delta);
    }

    @Override
    public void toolCall(ToolCall call) {
      heard.add("tool " + (call.id().startsWith("call_") && call.id().length() == 37 ? "<made up>" : call.id()) + " "
          + call.name() + " " + call.arguments());
    }

    @Override
    public void completed(String finishReason) {
      heard.add("completed " + finishReason);
    }

    @Override
    public void failed(String message) {
      heard.add("failed " + message);
    }
  }

  private static List<String> decode(List<SseEvent> stream, boolean treeOnly) {
    var recording = new Recording();
    var decoder = new ChatCompletionsDecoder(new GuardedSink(recording),
        new Failures("Test", "http://127.0.0.1:1/v1", Redactor.of(java.util.Map.of())));
    try {
      for (SseEvent event : stream) {
        if (treeOnly && !event.data().strip().equals("[DONE]")) {
          decoder.onTree(event);
        } else {
          decoder.onEvent(event);
        }
      }
      decoder.onEnd();
    } catch (IOException e) {
      recording.heard.add("IOException " + e.getMessage());
    }
    return recording.heard;
  }

  private static List<String> bothAgree(SseEvent... stream) {
    List<String> decoded = decode(List.of(stream), false);
    assertEquals(decode(List.of(stream), true), decoded);
    return decoded;
  }

  private static SseEvent data(String json) {
    return new SseEvent("message", json);
  }

  @Test
  void aPlainReplyIsReadWithoutATree() {
    assertEquals(List.of("text Hel", "text lo", "completed stop"), bothAgree(
        data("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"),
        data("{\"choices\":[{\"delta\":{\"content\":\"Hel\"},\"logprobs\":null,\"finish_reason\":null}]}"),
        data("{\"choices\":[{\"delta\":{\"content\":\"lo\",\"tool_calls\":null}}],\"error\":null}"),
        data("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3}}"),
        data("{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}"),
        data("[DONE]")));
    assertNotNull(ChatCompletionsDecoder.plainFrame("{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}"));
    assertEquals("a \"quoted\" é 🦦",
        ChatCompletionsDecoder.plainFrame("{\"choices\":[{\"delta\":{\"content\":\"a \\\"quoted\\\" \\u00e9 🦦\"}}]}")
            .content);
  }

  @Test
  void framesThePlainReadingLeavesToTheTreeAreDecodedAsBefore() {
    String[] notPlain = {
        "{\"error\":{\"message\":\"quota exceeded\"}}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\",\"content\":\"b\"}}]}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"choices\":[{\"delta\":{\"content\":\"b\"}}]}",
        "{\"choices\":[{\"delta\":{\"content\":5}}]}",
        "{\"choices\":[{\"delta\":null,\"finish_reason\":7}]}",
        "{\"choices\":{\"0\":{\"delta\":{\"content\":\"x\"}}}}",
        "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]} trailing",
        "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}{}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[]}}]}",
        "{\"choices\":[{\"delta\":{\"content\":\"x\"}},{\"index\":1}",
        "{\"choices\":[{\"delta\":{\"content\":\"x\"}",
        "[1, 2]",
        "not json",
        "   ",
    };
    for (String frame : notPlain) {
      assertNull(ChatCompletionsDecoder.plainFrame(frame), frame);
      bothAgree(data(frame), data("[DONE]"));
    }
    assertEquals(List.of("text b", "completed null"), bothAgree(data(notPlain[1]), data("[DONE]")),
        "the tree keeps the last of a field given twice");
  }

  @Test
  void toolCallsInPiecesAndAnErrorEventAreReadAsTrees() {
    assertEquals(List.of("text Let me look.", "tool call_1 search {\"q\":\"otters\"}", "completed tool_calls"),
        bothAgree(
            data("{\"choices\":[{\"delta\":{\"content\":\"Let me look.\"}}]}"),
            data("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"function\":"
                + "{\"name\":\"search\",\"arguments\":\"{\\\"q\\\":\"}}]}}]}"),
            data("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                + "\"\\\"otters\\\"}\"}}]}}]}"),
            data("{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"),
            data("[DONE]")));
    List<String> failed = bothAgree(
        data("{\"choices\":[{\"delta\":{\"content\":\"par\"}}]}"),
        new SseEvent("error", "{\"choices\":[{\"delta\":{\"content\":\"not text\"}}]}"));
    assertEquals("text par", failed.get(0));
    assertEquals(2, failed.size(), failed.toString());
  }
}
