package otterbot.core.internal.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import otterbot.api.tool.Tool;

/**
 * The registered tools, each checked once when it binds: its name, description and JSON schema are read then and
 * kept, so a turn never asks a plug-in for them again. A tool with an invalid name (not {@code ^[a-zA-Z0-9_-]{1,64}$},
 * what the model APIs accept) or a schema that is not a JSON object schema is skipped and logged once; every other
 * agent's turns go on without it. Of tools sharing a name, the one with the highest service ranking is offered (the
 * first bound on a tie), as the {@link Tool} contract says; the others are logged as shadowed.
 */
final class ToolSet {
  private static final Logger LOG = LoggerFactory.getLogger(ToolSet.class);
  static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
  static final int MAX_DESCRIPTION = 4096;
  static final int MAX_SCHEMA = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A tool as it was when it bound. */
  record Entry(Tool tool, String name, String description, String parameters, int ranking) {}

  /** Copy-on-write, highest ranking first, then in binding order; guarded by {@code this} for writes. */
  private volatile List<Entry> entries = List.of();
  /** What a turn sees: {@link #entries} with one tool per name. */
  private volatile List<Entry> offered = List.of();

  /** The tools now, one per name, for one turn. */
  List<Entry> get() {
    return offered;
  }

  String bind(Tool tool) {
    return bind(tool, 0);
  }

  /** Checks and adds a tool; returns why it was skipped, or null. */
  String bind(Tool tool, int ranking) {
    Entry entry;
    try {
      entry = check(tool, ranking);
    } catch (Invalid e) {
      return skip(tool, e.getMessage());
    } catch (RuntimeException | LinkageError e) {
      return skip(tool, "it failed to describe itself: " + e);
    }
    synchronized (this) {
      var next = new ArrayList<>(entries);
      next.add(entry);
      next.sort(java.util.Comparator.comparingInt(Entry::ranking).reversed()); // stable: binding order on a tie
      publish(next);
      if (offered.stream().noneMatch(e -> e.tool() == tool)) {
        LOG.info("Tool {} is shadowed by another tool named '{}' with a higher (or equal, earlier) ranking",
            tool.getClass().getName(), entry.name());
      }
    }
    return null;
  }

  synchronized void unbind(Tool tool) {
    var next = new ArrayList<>(entries);
    if (next.removeIf(e -> e.tool() == tool)) {
      publish(next);
    }
  }

  private void publish(List<Entry> next) {
    entries = List.copyOf(next);
    var names = new java.util.HashSet<String>();
    offered = next.stream().filter(e -> names.add(e.name())).toList();
  }

  /** Why a tool is skipped. */
  private static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  private static Entry check(Tool tool, int ranking) throws Invalid {
    String name = tool.name();
    if (name == null || !NAME.matcher(name).matches()) {
      throw new Invalid("its name " + quote(name) + " is not 1 to 64 letters, digits, '_' or '-'");
    }
    String description = tool.description();
    description = description == null ? "" : description;
    if (description.length() > MAX_DESCRIPTION) {
      description = description.substring(0, MAX_DESCRIPTION);
    }
    String parameters = tool.parameters();
    String problem = schemaProblem(parameters);
    if (problem != null) {
      throw new Invalid("the JSON schema of '" + name + "' " + problem);
    }
    return new Entry(tool, name, description, parameters, ranking);
  }

  /** Why {@code schema} is not a JSON object schema of at most {@link #MAX_SCHEMA} characters, or null. */
  static String schemaProblem(String schema) {
    if (schema == null || schema.isBlank()) {
      return "is missing";
    }
    if (schema.length() > MAX_SCHEMA) {
      return "is longer than " + MAX_SCHEMA + " characters";
    }
    JsonNode node;
    try {
      node = JSON.readTree(schema);
    } catch (JsonProcessingException e) {
      return "is not valid JSON";
    }
    if (node == null || !node.isObject()) {
      return "is not a JSON object";
    }
    JsonNode type = node.get("type");
    if (type != null && !"object".equals(type.asText())) {
      return "must describe an object (\"type\": \"object\"), not " + type;
    }
    return null;
  }

  private static String skip(Tool tool, String why) {
    String message = "Tool " + tool.getClass().getName() + " is not offered to any agent: " + why;
    LOG.warn(message);
    return message;
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return "'" + cut.replaceAll("[\\p{Cntrl}]", "?") + "'";
  }
}
