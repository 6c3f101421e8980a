package otterbot.api.skill;

import java.util.List;
import java.util.Map;

/**
 * A skill's frontmatter (upstream §3.5 SkillMeta) plus the optional keys of the agentskills.io specification, kept so
 * that an exported skill says what the imported one said.
 *
 * @param license agentskills.io {@code license}, or null
 * @param compatibility agentskills.io {@code compatibility}, or null
 * @param metadata agentskills.io {@code metadata} (a string map), empty when absent
 * @param allowedTools agentskills.io {@code allowed-tools}, empty when absent
 */
public record SkillMeta(String name, String description, String version, String author, List<String> tools,
    List<String> capabilities, Map<String, SkillParameter> parameters, List<String> tags, String license,
    String compatibility, Map<String, String> metadata, List<String> allowedTools) {

  public SkillMeta {
    tools = tools == null ? List.of() : List.copyOf(tools);
    capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    tags = tags == null ? List.of() : List.copyOf(tags);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    allowedTools = allowedTools == null ? List.of() : List.copyOf(allowedTools);
  }
}
