package otterbot.memory.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.OtterbotException;
import otterbot.api.memory.MemoryHit;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/** {@code search_memory {query, limit 1-20 = 6}} (upstream §6.2): the calling agent's own memories only. */
@Component(service = Tool.class)
public final class SearchMemoryTool implements Tool {
  private final MemoryServiceImpl memory;

  @Activate
  public SearchMemoryTool(@Reference MemoryServiceImpl memory) {
    this.memory = memory;
  }

  @Override
  public String name() {
    return "search_memory";
  }

  @Override
  public String description() {
    return "Search your long-term memory (facts, preferences and instructions saved in earlier conversations) by"
        + " meaning and words. Returns the best matches first.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{"
        + "\"query\":{\"type\":\"string\",\"description\":\"what to look for\"},"
        + "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":20,\"default\":6}},"
        + "\"required\":[\"query\"]}";
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException {
    JsonNode args = MemoryTools.arguments(arguments);
    String query = MemoryTools.text(args, "query", true);
    if (query.length() > MemoryServiceImpl.MAX_QUERY_LENGTH) {
      // The service's own message names the REST parameter (q); the model knows this argument as query.
      throw new ToolException("query is longer than " + MemoryServiceImpl.MAX_QUERY_LENGTH + " characters");
    }
    Integer limit = MemoryTools.integer(args, "limit", 1, 20);
    ArrayNode out = MemoryTools.array();
    try {
      for (MemoryHit hit : memory.search(context.agent().id(), query, limit == null ? 6 : limit)) {
        ObjectNode item = out.addObject();
        item.put("id", hit.entry().id());
        item.put("content", hit.entry().content());
        item.put("category", hit.entry().category());
        item.put("importance", hit.entry().importance());
        item.put("score", hit.score());
        item.put("via", hit.via());
      }
    } catch (OtterbotException e) {
      throw MemoryTools.failure(e);
    }
    return out.toString();
  }
}
