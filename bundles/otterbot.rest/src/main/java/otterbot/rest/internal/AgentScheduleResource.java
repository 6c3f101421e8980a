package otterbot.rest.internal;

import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.schedule.ScheduledTask;
import otterbot.api.schedule.Scheduler;

/**
 * {@code GET/POST /api/agents/:id/scheduled-tasks}: upstream-behaviour §4.7. Unlike upstream, an unknown agent is a
 * 404 on both. The path is the class's own, like the credentials resource's: under the agents resource's
 * {@code @Path("agents")} Jersey would never reach it.
 *
 * <p>The scheduler and the agent registry come from the core; until both are registered the routes answer 503.
 */
@Component(service = AgentScheduleResource.class)
@JakartarsResource
@JakartarsName("otterbot.agent-schedule")
@JSONRequired
@Path("agents/{id}/scheduled-tasks")
@Produces(MediaType.APPLICATION_JSON)
public final class AgentScheduleResource {
  static final String UNAVAILABLE = "the scheduler is not available yet";
  static final String REQUIRED = "cron and prompt are required";
  /** A prompt is a task description, not a document; this keeps one row from holding megabytes. */
  static final int MAX_PROMPT_LENGTH = 10_000;
  /** What the storage keeps; any real cron expression is far shorter. */
  static final int MAX_CRON_LENGTH = 200;

  private volatile Scheduler scheduler;
  private volatile AgentRegistry agents;

  public AgentScheduleResource() {
    // for DS; the services arrive through the setters
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setScheduler(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetScheduler(Scheduler gone) {
    if (scheduler == gone) {
      scheduler = null;
    }
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setAgents(AgentRegistry agents) {
    this.agents = agents;
  }

  synchronized void unsetAgents(AgentRegistry gone) {
    if (agents == gone) {
      agents = null;
    }
  }

  /** The body of the POST; unknown fields are ignored like everywhere else. */
  record NewTask(String cron, String prompt) {}

  /** Cancelled tasks included, in creation order. The scheduler may list nothing for an unknown id, so ask first. */
  @GET
  public List<ScheduledTask> list(@PathParam("id") String agentId) {
    Scheduler service = scheduler();
    AgentRegistry registry = agents;
    if (registry == null) {
      throw OtterbotException.unavailable(UNAVAILABLE, null);
    }
    if (registry.get(agentId).isEmpty()) {
      throw OtterbotException.notFound("not found");
    }
    return service.list(agentId);
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public ScheduledTask add(@PathParam("id") String agentId, NewTask body) {
    NewTask task = body == null ? new NewTask(null, null) : body; // no body, or null: no fields
    // Upstream refused missing and empty fields; a cron or prompt of spaces is just as empty.
    if (task.cron() == null || task.cron().isBlank() || task.prompt() == null || task.prompt().isBlank()) {
      throw OtterbotException.invalid(REQUIRED);
    }
    if (task.prompt().length() > MAX_PROMPT_LENGTH) {
      throw OtterbotException.invalid("prompt must be at most " + MAX_PROMPT_LENGTH + " characters");
    }
    if (task.cron().length() > MAX_CRON_LENGTH) {
      throw OtterbotException.invalid("invalid cron expression");
    }
    Scheduler service = scheduler();
    try {
      return service.add(agentId, task.cron(), task.prompt());
    } catch (OtterbotException e) {
      if (e.kind() == OtterbotException.Kind.NOT_FOUND) {
        // The only thing this route can miss is the agent; upstream's body for a 404 is exactly this.
        throw OtterbotException.notFound("not found");
      }
      throw e;
    }
  }

  private Scheduler scheduler() {
    Scheduler service = scheduler;
    if (service == null) {
      throw OtterbotException.unavailable(UNAVAILABLE, null);
    }
    return service;
  }
}
