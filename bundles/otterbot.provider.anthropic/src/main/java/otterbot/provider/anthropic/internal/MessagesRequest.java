package otterbot.provider.anthropic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;
import otterbot.provider.support.Json;

/** The body of a streamed Anthropic Messages request. */
final class MessagesRequest {
  /** The Messages API requires a token limit; this one leaves room for long answers. */
  static final int DEFAULT_MAX_TOKENS = 4096;

  private MessagesRequest() {}

  /** @throws IllegalArgumentException when a tool's parameters are not a JSON object */
  static byte[] body(ChatRequest request) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", request.modelId());
    body.put("max_tokens", request.maxTokens() > 0 ? request.maxTokens() : DEFAULT_MAX_TOKENS);
    if (!request.system().isEmpty()) {
      body.put("system", request.system());
    }
    ArrayNode messages = body.putArray("messages");
    // Tool results go back as tool_result blocks of a user message; consecutive results share one message.
    ArrayNode results = null;
    for (ChatMessage message : request.messages()) {
      if (message.role().equals(ChatMessage.TOOL)) {
        if (results == null) {
          results = messages.addObject().put("role", "user").putArray("content");
        }
        results.addObject()
            .put("type", "tool_result")
            .put("tool_use_id", message.toolCallId())
            .put("content", message.content());
        continue;
      }
      results = null;
      if (message.role().equals(ChatMessage.USER)) {
        messages.addObject().put("role", "user").put("content", message.content());
      } else if (message.role().equals(ChatMessage.ASSISTANT)) {
        addAssistant(messages, message);
      } else {
        throw new IllegalArgumentException("unknown message role " + message.role());
      }
    }
    if (!request.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolSpec tool : request.tools()) {
        tools.addObject()
            .put("name", tool.name())
            .put("description", tool.description() == null ? "" : tool.description())
            .set("input_schema", Json.toolParameters(tool));
      }
    }
    body.put("stream", true);
    return Json.bytes(body);
  }

  private static void addAssistant(ArrayNode messages, ChatMessage message) {
    if (message.toolCalls().isEmpty()) {
      // The API rejects an empty assistant turn (a reply cancelled before its first token); it carries nothing.
      if (!message.content().isEmpty()) {
        messages.addObject().put("role", "assistant").put("content", message.content());
      }
      return;
    }
    ArrayNode content = messages.addObject().put("role", "assistant").putArray("content");
    if (!message.content().isEmpty()) {
      content.addObject().put("type", "text").put("text", message.content());
    }
    for (ToolCall call : message.toolCalls()) {
      content.addObject()
          .put("type", "tool_use")
          .put("id", call.id())
          .put("name", call.name())
          .set("input", input(call));
    }
  }

  /** The call's arguments as the JSON object {@code input} must be; {@code {}} if the model produced anything else. */
  private static JsonNode input(ToolCall call) {
    JsonNode arguments = Json.parseOrNull(call.arguments());
    return arguments != null && arguments.isObject() ? arguments : Json.MAPPER.createObjectNode();
  }
}
