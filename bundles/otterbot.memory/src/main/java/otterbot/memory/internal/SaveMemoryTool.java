package otterbot.memory.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.OtterbotException;
import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryInput;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/**
 * {@code save_memory {content, category = fact, importance 1-10 = 6, supersedes?}} (upstream §6.2, the later name of
 * {@code save_finding}). A near-duplicate re-confirms the existing memory; {@code supersedes} replaces a memory the new
 * one contradicts. A failure is answered once with its reason (no retry loop: the quota evicts rather than refuses).
 */
@Component(service = Tool.class)
public final class SaveMemoryTool implements Tool {
  private final MemoryServiceImpl memory;

  @Activate
  public SaveMemoryTool(@Reference MemoryServiceImpl memory) {
    this.memory = memory;
  }

  @Override
  public String name() {
    return "save_memory";
  }

  @Override
  public String description() {
    return "Save something worth remembering across conversations (a fact about the user, a preference, an"
        + " instruction). If it contradicts a memory you found with search_memory, pass that memory's id as"
        + " supersedes.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{"
        + "\"content\":{\"type\":\"string\"},"
        + "\"category\":{\"type\":\"string\",\"enum\":[\"preference\",\"fact\",\"instruction\",\"relationship\","
        + "\"general\"],\"default\":\"fact\"},"
        + "\"importance\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10,\"default\":6},"
        + "\"supersedes\":{\"type\":\"string\",\"description\":\"id of a memory this one replaces\"}},"
        + "\"required\":[\"content\"]}";
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException {
    JsonNode args = MemoryTools.arguments(arguments);
    String content = MemoryTools.text(args, "content", true);
    String category = MemoryTools.text(args, "category", false);
    Integer importance = MemoryTools.integer(args, "importance", 1, 10);
    String supersedes = MemoryTools.text(args, "supersedes", false);
    try {
      MemoryEntry saved = memory.save(context.agent().id(), new MemoryInput(content,
          category == null ? "fact" : category, importance == null ? 6 : importance, "agent",
          java.util.List.of(), null, supersedes == null || supersedes.isBlank() ? null : supersedes));
      return MemoryTools.object().put("ok", true).put("id", saved.id()).toString();
    } catch (OtterbotException e) {
      throw MemoryTools.failure(e);
    }
  }
}
