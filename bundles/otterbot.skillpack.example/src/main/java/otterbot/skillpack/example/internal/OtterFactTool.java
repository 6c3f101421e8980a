package otterbot.skillpack.example.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;

import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;

/** The tool the {@code otter-facts} skill uses: a fixed fact per topic. */
@Component(service = Tool.class)
public final class OtterFactTool implements Tool {
  static final Map<String, String> FACTS = Map.of(
      "diet", "Sea otters eat about a quarter of their body weight a day, mostly urchins, crabs and clams.",
      "habitat", "River otters live along rivers, lakes and coasts with dens in banks close to the water.",
      "tools", "Sea otters crack shellfish open on stones they carry in a pouch of skin under their forelegs.",
      "sleep", "Sea otters sleep floating on their backs and often hold paws or wrap in kelp to stay together.");

  @Override
  public String name() {
    return "otter_fact";
  }

  @Override
  public String description() {
    return "A checked fact about otters on a topic: diet, habitat, tools or sleep.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{\"topic\":{\"type\":\"string\",\"enum\":[\"diet\",\"habitat\","
        + "\"tools\",\"sleep\"]}},\"required\":[\"topic\"]}";
  }

  @Override
  public String invoke(ToolContext context, String arguments) {
    for (Map.Entry<String, String> fact : FACTS.entrySet()) {
      if (arguments != null && arguments.contains("\"" + fact.getKey() + "\"")) {
        return "{\"topic\":\"" + fact.getKey() + "\",\"fact\":\"" + fact.getValue() + "\"}";
      }
    }
    return "{\"topic\":null,\"fact\":null,\"known\":[\"diet\",\"habitat\",\"tools\",\"sleep\"]}";
  }
}
