package otterbot.api.chat;

/**
 * One piece of a streamed reply ({@code chat:stream}'s {@code chunk}), a union tagged by {@code kind}. Fields that do
 * not belong to the kind are null and left out of the JSON.
 *
 * @param kind {@link #TOKEN}, {@link #THINKING}, {@link #TOOL_START}, {@link #TOOL_END} or {@link #ERROR}
 * @param text token and thinking text
 * @param id the tool call id (tool_start, tool_end)
 * @param name the tool name (tool_start)
 * @param args the tool arguments, parsed JSON (tool_start)
 * @param result the tool result, parsed JSON (tool_end)
 * @param message the error message (error)
 */
public record StreamChunk(String kind, String text, String id, String name, Object args, Object result, String message) {
  public static final String TOKEN = "token";
  public static final String THINKING = "thinking";
  public static final String TOOL_START = "tool_start";
  public static final String TOOL_END = "tool_end";
  public static final String ERROR = "error";

  public static StreamChunk token(String text) {
    return new StreamChunk(TOKEN, text, null, null, null, null, null);
  }

  public static StreamChunk toolStart(String id, String name, Object args) {
    return new StreamChunk(TOOL_START, null, id, name, args, null, null);
  }

  public static StreamChunk toolEnd(String id, Object result) {
    return new StreamChunk(TOOL_END, null, id, null, null, result, null);
  }

  public static StreamChunk error(String message) {
    return new StreamChunk(ERROR, null, null, null, null, null, message);
  }
}
