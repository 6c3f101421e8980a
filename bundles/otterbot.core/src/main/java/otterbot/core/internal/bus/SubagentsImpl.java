package otterbot.core.internal.bus;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentLifecycleListener;
import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.chat.ChatService;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.MessageBus;
import otterbot.api.orchestration.SubagentTask;
import otterbot.api.orchestration.Subagents;
import otterbot.api.persistence.SubagentTaskStore;

/**
 * Subagents (upstream-behaviour §6.5): a short-lived agent created for one goal, whose one turn's answer is reported
 * back to its parent. Unlike upstream, a finished subagent is retired (deleted) at once: it stops counting against its
 * parent's limit and, as its id names its task, no id is ever reused; its task record and bus messages stay.
 */
@Component(service = {Subagents.class, SubagentsImpl.class, AgentLifecycleListener.class})
public final class SubagentsImpl implements Subagents, AgentLifecycleListener {
  private static final Logger LOG = LoggerFactory.getLogger(SubagentsImpl.class);
  static final String PERSONA = "You are a focused subagent of %s. Pursue exactly the goal you are given, "
      + "and end with a concise summary of your findings.";

  private final AgentRegistry agents;
  private final MessageBus bus;
  /** Dynamic for the reason given on {@link MessageBusImpl#chat}: spawn_subagent, a chat tool, needs this component. */
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  volatile ChatService chat;
  private final SubagentTaskStore store;
  private final Clock clock;

  @Activate
  public SubagentsImpl(@Reference AgentRegistry agents, @Reference MessageBus bus,
      @Reference SubagentTaskStore store) {
    this(agents, null, bus, store, Clock.systemUTC());
  }

  SubagentsImpl(AgentRegistry agents, ChatService chat, MessageBus bus, SubagentTaskStore store, Clock clock) {
    this.agents = agents;
    this.chat = chat;
    this.bus = bus;
    this.store = store;
    this.clock = clock;
    recoverAfterRestart();
  }

  @Override
  public List<SubagentTask> tasks() {
    return store.all();
  }

  @Override
  public int active(String parentAgentId) {
    return (int) agents.list().stream().filter(a -> parentAgentId.equals(a.parentId())
        && AgentProfile.ROLE_SUBAGENT.equals(a.role())).count();
  }

  /** The outcome of a spawn, for the tool's answer. */
  record Spawned(String subagentId, String taskId, String status, String summary) {}

  /**
   * Creates the subagent, runs its turn on the goal (blocking), reports, and retires it.
   *
   * @throws OtterbotException {@code NOT_FOUND} for an unknown parent, {@code INVALID} when the parent may not spawn
   *     or its limit is reached (the message says which)
   */
  Spawned spawn(String parentId, String goal) throws InterruptedException {
    AgentProfile parent = agents.get(parentId)
        .orElseThrow(() -> OtterbotException.notFound("Unknown agent: " + parentId));
    ChatService turns = chat;
    if (turns == null) {
      throw OtterbotException.unavailable("chat is not available yet", null);
    }
    AgentProfile sub;
    String taskId = MessageBusImpl.newId().substring(0, 12).toLowerCase(Locale.ROOT);
    synchronized (this) { // the count and the creation together, or two spawns could both pass the limit
      if (!parent.canSpawnSubagents()) {
        throw OtterbotException.invalid("agent " + parentId + " is not allowed to spawn subagents");
      }
      if (active(parentId) >= parent.subagentLimit()) {
        throw OtterbotException.invalid("subagent limit (" + parent.subagentLimit() + ") reached");
      }
      AgentModels model = parent.model();
      sub = agents.create(new AgentInput(parentId + "__sub__" + taskId, parent.displayName() + " · sub " + taskId,
          AgentProfile.ROLE_SUBAGENT, String.format(PERSONA, parent.displayName()), model, parent.allowedModels(),
          null, parent.transport(), null, parent.artwork(), false, 0, parentId, null));
    }
    SubagentTask task = new SubagentTask(taskId, taskId, null, parentId, sub.id(), goal, SubagentTask.RUNNING, null,
        clock.instant(), null);
    store.save(task);
    AtomicReference<String> summary = new AtomicReference<>();
    String status = SubagentTask.FAILED;
    try {
      bus.publish(AgentMessage.draft(AgentMessage.SPAWN, parentId, null, taskId, null, taskId,
          "Spawned " + sub.id() + " for: " + goal));
      TurnRunner.Outcome outcome = TurnRunner.run(turns, sub.id(), "spawn-" + taskId, goal, null);
      if (outcome.error() != null) {
        summary.set("Error: " + outcome.error());
      } else {
        status = SubagentTask.DONE;
        summary.set(outcome.text().isBlank() ? "(no findings)" : outcome.text());
      }
    } catch (InterruptedException e) {
      status = SubagentTask.CANCELLED;
      summary.set("Error: cancelled");
      throw e;
    } catch (RuntimeException e) {
      summary.set("Error: " + e.getMessage());
    } finally {
      store.save(new SubagentTask(taskId, taskId, null, parentId, sub.id(), goal, status, summary.get(),
          task.createdAt(), clock.instant()));
      try {
        bus.publish(AgentMessage.draft(AgentMessage.REPORT, sub.id(), parentId, taskId, null, taskId, summary.get()));
      } catch (RuntimeException e) {
        LOG.warn("The report of subagent {} could not be published: {}", sub.id(), e.toString());
      }
      retire(sub.id());
    }
    return new Spawned(sub.id(), taskId, status, summary.get());
  }

  /** The parent is gone: so are its subagents (their task records stay). */
  @Override
  public void deleted(AgentProfile agent) {
    for (AgentSummary s : agents.list()) {
      if (agent.id().equals(s.parentId()) && AgentProfile.ROLE_SUBAGENT.equals(s.role())) {
        retire(s.id());
      }
    }
  }

  private void retire(String subagentId) {
    try {
      agents.delete(subagentId);
    } catch (OtterbotException e) {
      if (e.kind() != OtterbotException.Kind.NOT_FOUND) {
        LOG.warn("Subagent {} could not be retired: {}", subagentId, e.getMessage());
      }
    }
  }

  /**
   * A subagent still there at start-up was cut off by a stop or a crash: its task can never finish, so it is marked
   * failed and the subagent retired.
   */
  private void recoverAfterRestart() {
    for (SubagentTask task : store.all()) {
      if (SubagentTask.RUNNING.equals(task.status()) || SubagentTask.QUEUED.equals(task.status())) {
        store.save(new SubagentTask(task.id(), task.rootId(), task.parentTaskId(), task.parentAgentId(),
            task.subagentId(), task.goal(), SubagentTask.FAILED, "Error: the server stopped while the subagent was running",
            task.createdAt(), clock.instant()));
        retire(task.subagentId());
        LOG.info("Subagent task {} was cut off by a restart; marked failed", task.id());
      }
    }
  }
}
