package otterbot.core.internal.bus;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.MessageBus;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;
import otterbot.core.internal.chat.StatusBoard;

/**
 * Upstream's {@code delegate} (§6.2): hands a task to another agent over the bus and waits for its answer. Offered to
 * the COO and to the agents the orchestration configuration allows; while it waits the caller's status is
 * {@code waiting}.
 */
@Component(service = Tool.class, configurationPid = DelegateTool.PID)
@Designate(ocd = OrchestrationConfiguration.class)
public final class DelegateTool implements Tool {
  static final String PID = "otterbot.orchestration";

  private final MessageBus bus;
  private final AgentRegistry agents;
  private final StatusBoard board;
  private final Duration timeout;
  private final Set<String> delegators;

  @Activate
  public DelegateTool(@Reference MessageBus bus, @Reference AgentRegistry agents, @Reference StatusBoard board,
      OrchestrationConfiguration config) {
    this.bus = bus;
    this.agents = agents;
    this.board = board;
    this.timeout = Duration.ofSeconds(config.delegateTimeoutSeconds());
    this.delegators = delegators(config);
  }

  /**
   * The configured delegators. A {@code .cfg} file gives one string ({@code delegators=a, b}), which DS hands over as
   * a single element, so every element is split on commas.
   */
  static Set<String> delegators(OrchestrationConfiguration config) {
    return java.util.Arrays.stream(config.delegators()).flatMap(v -> java.util.Arrays.stream(v.split(",")))
        .map(String::strip).filter(v -> !v.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  static boolean mayDelegate(AgentProfile agent, Set<String> delegators) {
    return AgentProfile.ROLE_COO.equals(agent.role()) || delegators.contains(agent.id());
  }

  @Override
  public String name() {
    return "delegate";
  }

  @Override
  public String description() {
    return "Hands a task to another agent and waits for its answer. Use list_agents to find the right agent.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{"
        + "\"agentId\":{\"type\":\"string\",\"description\":\"the id of the agent to hand the task to\"},"
        + "\"task\":{\"type\":\"string\",\"description\":\"what the agent should do, with everything it needs to know\"}},"
        + "\"required\":[\"agentId\",\"task\"],\"additionalProperties\":false}";
  }

  @Override
  public boolean availableTo(ToolContext context) {
    return mayDelegate(context.agent(), delegators);
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException, InterruptedException {
    JsonNode args = Args.parse(arguments);
    String target = Args.text(args, "agentId");
    String task = Args.text(args, "task");
    String self = context.agent().id();
    if (target.equals(self)) {
      return Args.error("an agent cannot delegate to itself");
    }
    if (agents.get(target).isEmpty()) {
      List<String> known = agents.list().stream().map(AgentSummary::id).filter(id -> !id.equals(self)).toList();
      return Args.error("No agent \"" + target + "\". Known agents: " + String.join(", ", known));
    }
    board.turnWaiting(self, true);
    try {
      AgentMessage response = bus.request(AgentMessage.draft(AgentMessage.REQUEST, self, target,
          MessageBusImpl.newId(), null, null, task), timeout);
      return Args.ok().put("from", response.from()).put("result", response.body()).toString();
    } catch (OtterbotException e) {
      return Args.error(e.getMessage());
    } finally {
      board.turnWaiting(self, false);
    }
  }
}
