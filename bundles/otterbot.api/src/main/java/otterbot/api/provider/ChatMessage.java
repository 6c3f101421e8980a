package otterbot.api.provider;

import java.util.List;

/**
 * One message of the history a model step reads.
 *
 * @param role {@link #USER}, {@link #ASSISTANT} or {@link #TOOL}
 * @param content the text; for {@link #TOOL} the tool's result (JSON text); may be empty, never null
 * @param toolCalls for {@link #ASSISTANT}: the tool calls the model made in that step, else empty
 * @param toolCallId for {@link #TOOL}: the call this result answers, else null
 * @param toolName for {@link #TOOL}: the called tool's name, else null
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String toolName) {
  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";
  public static final String TOOL = "tool";

  public ChatMessage {
    content = content == null ? "" : content;
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  public static ChatMessage user(String text) {
    return new ChatMessage(USER, text, List.of(), null, null);
  }

  public static ChatMessage assistant(String text, List<ToolCall> toolCalls) {
    return new ChatMessage(ASSISTANT, text, toolCalls, null, null);
  }

  public static ChatMessage toolResult(ToolCall call, String result) {
    return new ChatMessage(TOOL, result, List.of(), call.id(), call.name());
  }
}
