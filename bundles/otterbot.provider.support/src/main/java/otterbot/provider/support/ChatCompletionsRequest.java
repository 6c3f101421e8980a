package otterbot.provider.support;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;

/** The body of a streamed OpenAI chat-completions request. */
public final class ChatCompletionsRequest {
  private ChatCompletionsRequest() {}

  /**
   * @param maxTokensField the name the server expects for the token limit ({@code max_completion_tokens} for OpenAI,
   *     {@code max_tokens} for most others)
   * @throws IllegalArgumentException when a tool's parameters are not a JSON object
   */
  public static byte[] body(ChatRequest request, String maxTokensField) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", request.modelId());
    body.put("stream", true);
    ArrayNode messages = body.putArray("messages");
    if (!request.system().isEmpty()) {
      messages.addObject().put("role", "system").put("content", request.system());
    }
    for (ChatMessage message : request.messages()) {
      add(messages, message);
    }
    if (!request.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolSpec tool : request.tools()) {
        ObjectNode function = tools.addObject().put("type", "function").putObject("function");
        function.put("name", tool.name());
        function.put("description", tool.description() == null ? "" : tool.description());
        function.set("parameters", Json.toolParameters(tool));
      }
    }
    if (request.maxTokens() > 0) {
      body.put(maxTokensField, request.maxTokens());
    }
    return Json.bytes(body);
  }

  private static void add(ArrayNode messages, ChatMessage message) {
    switch (message.role()) {
      case ChatMessage.USER -> messages.addObject().put("role", "user").put("content", message.content());
      case ChatMessage.TOOL -> messages.addObject()
          .put("role", "tool")
          .put("tool_call_id", message.toolCallId())
          .put("content", message.content());
      case ChatMessage.ASSISTANT -> {
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        if (message.toolCalls().isEmpty()) {
          assistant.put("content", message.content());
          return;
        }
        // With tool calls and no text, OpenAI's own replies carry content null; some servers reject "" there.
        if (message.content().isEmpty()) {
          assistant.putNull("content");
        } else {
          assistant.put("content", message.content());
        }
        ArrayNode calls = assistant.putArray("tool_calls");
        for (ToolCall call : message.toolCalls()) {
          calls.addObject()
              .put("id", call.id())
              .put("type", "function")
              .putObject("function")
              .put("name", call.name())
              .put("arguments", call.arguments());
        }
      }
      default -> throw new IllegalArgumentException("unknown message role " + message.role());
    }
  }
}
