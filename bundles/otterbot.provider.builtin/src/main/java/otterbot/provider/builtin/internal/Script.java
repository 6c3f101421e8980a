package otterbot.provider.builtin.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;

/**
 * The built-in provider's fixed replies. Deterministic: the same request always gets the same reply.
 *
 * <ul>
 *   <li>{@code /tool <name> [json arguments]} calls that tool; once its result is back the reply quotes it;
 *   <li>{@code /tools} lists the tools the agent has;
 *   <li>anything else gets the label, the user's words back, and how to configure a real model.
 * </ul>
 */
final class Script {
  static final String LABEL = "[Built-in offline model: no language model is configured, so this reply is a fixed template, not generated text.]";
  static final String HOW_TO = "To chat with a real model, configure a provider in the settings (PUT /api/settings/global): "
      + "an OpenAI or Anthropic API key, or the base URL of a local LM Studio, Ollama or other OpenAI-compatible "
      + "server, and choose one of its models as the default chat model. "
      + "Offline commands: /tools lists the tools, /tool <name> {json arguments} calls one.";
  private static final Pattern TOOL_COMMAND = Pattern.compile("^/tool\\s+([A-Za-z0-9_-]{1,64})\\s*(.*)$", Pattern.DOTALL);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int QUOTE_LENGTH = 500;

  private Script() {}

  record Reply(String text, List<ToolCall> calls) {}

  static Reply reply(ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    ChatMessage last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
    if (last != null && ChatMessage.TOOL.equals(last.role())) {
      return afterTools(messages);
    }
    String text = last == null ? "" : last.content().strip();
    if (text.equals("/tools")) {
      return new Reply(LABEL + " " + listTools(request.tools()), List.of());
    }
    Matcher m = TOOL_COMMAND.matcher(text);
    if (m.matches()) {
      return toolCommand(request, m.group(1), m.group(2).strip(), messages.size());
    }
    return new Reply(LABEL + " You said: \"" + clip(text) + "\". " + HOW_TO, List.of());
  }

  private static Reply toolCommand(ChatRequest request, String name, String args, int position) {
    if (request.tools().stream().noneMatch(t -> t.name().equals(name))) {
      return new Reply(LABEL + " There is no tool named '" + name + "' for this agent. " + listTools(request.tools()),
          List.of());
    }
    String arguments = args.isEmpty() ? "{}" : args;
    try {
      JsonNode node = JSON.readTree(arguments);
      if (node == null || !node.isObject()) {
        return new Reply(LABEL + " The arguments of /tool must be a JSON object, for example /tool " + name + " {}.",
            List.of());
      }
      arguments = node.toString();
    } catch (JsonProcessingException e) {
      return new Reply(LABEL + " The arguments of /tool must be a JSON object, for example /tool " + name + " {}.",
          List.of());
    }
    // The id depends only on the conversation's length, so a replayed request gets the same id.
    return new Reply(LABEL + " Calling " + name + ". ", List.of(new ToolCall("builtin-" + position, name, arguments)));
  }

  /** The results of the tools called in the last step, quoted (the label opened the reply already). */
  private static Reply afterTools(List<ChatMessage> messages) {
    var parts = new ArrayList<String>();
    for (int i = messages.size() - 1; i >= 0 && ChatMessage.TOOL.equals(messages.get(i).role()); i--) {
      ChatMessage result = messages.get(i);
      parts.add(0, "Tool " + result.toolName() + " returned: " + clip(result.content()));
    }
    return new Reply(String.join(" ", parts), List.of());
  }

  private static String listTools(List<ToolSpec> tools) {
    if (tools.isEmpty()) {
      return "This agent has no tools.";
    }
    return "Tools: " + String.join(", ", tools.stream().map(ToolSpec::name).sorted().toList()) + ".";
  }

  private static String clip(String s) {
    return s.length() > QUOTE_LENGTH ? s.substring(0, QUOTE_LENGTH) + "..." : s;
  }

  /** Splits text into words with their following space, so that joining the pieces gives the text back. */
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
}
