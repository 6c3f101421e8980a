package otterbot.provider.openai.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;
import otterbot.provider.support.Json;

/**
 * The body of a Codex Responses call (upstream-behaviour §11.3): the system prompt as {@code instructions}, the history
 * as {@code input} items (messages, {@code function_call} and {@code function_call_output}), the tools as Responses
 * function tools, and always {@code store:false} and {@code stream:true}. The backend keeps nothing, so every turn
 * sends the whole history. No token limit: the Codex backend rejects {@code max_output_tokens}.
 */
final class CodexRequest {
  private CodexRequest() {}

  /** @throws IllegalArgumentException when a tool's parameters are not a JSON object */
  static byte[] body(ChatRequest request) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", request.modelId());
    body.put("instructions", request.system());
    ArrayNode input = body.putArray("input");
    for (ChatMessage message : request.messages()) {
      add(input, message);
    }
    ArrayNode tools = body.putArray("tools");
    for (ToolSpec tool : request.tools()) {
      tools.addObject()
          .put("type", "function")
          .put("name", tool.name())
          .put("description", tool.description() == null ? "" : tool.description())
          .put("strict", false)
          .set("parameters", Json.toolParameters(tool));
    }
    body.put("tool_choice", "auto");
    body.put("parallel_tool_calls", false);
    body.put("store", false);
    body.put("stream", true);
    return Json.bytes(body);
  }

  private static void add(ArrayNode input, ChatMessage message) {
    switch (message.role()) {
      case ChatMessage.USER -> message(input, "user", "input_text", message.content());
      case ChatMessage.TOOL -> input.addObject()
          .put("type", "function_call_output")
          .put("call_id", message.toolCallId())
          .put("output", message.content());
      case ChatMessage.ASSISTANT -> {
        if (!message.content().isEmpty()) {
          message(input, "assistant", "output_text", message.content());
        }
        for (ToolCall call : message.toolCalls()) {
          input.addObject()
              .put("type", "function_call")
              .put("call_id", call.id())
              .put("name", call.name())
              .put("arguments", call.arguments());
        }
      }
      default -> throw new IllegalArgumentException("unknown message role " + message.role());
    }
  }

  private static void message(ArrayNode input, String role, String partType, String text) {
    ObjectNode item = input.addObject().put("type", "message").put("role", role);
    item.putArray("content").addObject().put("type", partType).put("text", text);
  }
}
