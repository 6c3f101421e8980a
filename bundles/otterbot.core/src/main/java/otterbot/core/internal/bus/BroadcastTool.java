package otterbot.core.internal.bus;

import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.OtterbotException;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.MessageBus;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/** Upstream's {@code broadcast} (§6.2): a message to every agent, not waited for. Same audience as delegate. */
@Component(service = Tool.class, configurationPid = DelegateTool.PID)
public final class BroadcastTool implements Tool {
  private final MessageBus bus;
  private final Set<String> delegators;

  @Activate
  public BroadcastTool(@Reference MessageBus bus, OrchestrationConfiguration config) {
    this.bus = bus;
    this.delegators = DelegateTool.delegators(config);
  }

  @Override
  public String name() {
    return "broadcast";
  }

  @Override
  public String description() {
    return "Sends a message to every agent. Does not wait for answers.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},"
        + "\"required\":[\"message\"],\"additionalProperties\":false}";
  }

  @Override
  public boolean availableTo(ToolContext context) {
    return DelegateTool.mayDelegate(context.agent(), delegators);
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException {
    String message = Args.text(Args.parse(arguments), "message");
    try {
      bus.publish(AgentMessage.draft(AgentMessage.BROADCAST, context.agent().id(), null, MessageBusImpl.newId(), null,
          null, message));
      return Args.ok().toString();
    } catch (OtterbotException e) {
      return Args.error(e.getMessage());
    }
  }
}
