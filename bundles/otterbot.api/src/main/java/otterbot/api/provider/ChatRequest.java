package otterbot.api.provider;

import java.util.List;
import java.util.Map;

/**
 * One model step.
 *
 * @param modelId the provider's model id
 * @param system the system prompt; may be empty
 * @param messages the history, oldest first, ending with the newest user message or tool results
 * @param tools the tools the model may call; empty for none
 * @param secrets the calling agent's effective secrets (see {@link ModelProvider})
 * @param maxTokens the most tokens to generate, or 0 for the provider's default
 */
public record ChatRequest(
    String modelId,
    String system,
    List<ChatMessage> messages,
    List<ToolSpec> tools,
    Map<String, String> secrets,
    int maxTokens) {

  public ChatRequest {
    system = system == null ? "" : system;
    messages = List.copyOf(messages);
    tools = tools == null ? List.of() : List.copyOf(tools);
    secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
  }

  /** Hides the secrets: a request may end up in a log line or an assertion message. */
  @Override
  public String toString() {
    return "ChatRequest[modelId=" + modelId + ", messages=" + messages.size() + ", tools=" + tools.size()
        + ", secrets=" + secrets.keySet() + ", maxTokens=" + maxTokens + "]";
  }
}
