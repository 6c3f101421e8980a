package otterbot.rest.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.OtterbotException;
import otterbot.api.schedule.Scheduler;

/**
 * {@code DELETE /api/scheduled-tasks/:taskId}: upstream-behaviour §4.7. Cancels (disables) the task, which stays
 * listed; cancelling a cancelled task is 200 again, an unknown one 404. 503 until the core's scheduler is registered.
 */
@Component(service = ScheduledTasksResource.class)
@JakartarsResource
@JakartarsName("otterbot.scheduled-tasks")
@JSONRequired
@Path("scheduled-tasks")
@Produces(MediaType.APPLICATION_JSON)
public final class ScheduledTasksResource {
  private volatile Scheduler scheduler;

  public ScheduledTasksResource() {
    // for DS; the scheduler arrives through setScheduler
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

  @DELETE
  @Path("{taskId}")
  public Map<String, Object> cancel(@PathParam("taskId") String taskId) {
    Scheduler service = scheduler;
    if (service == null) {
      throw OtterbotException.unavailable(AgentScheduleResource.UNAVAILABLE, null);
    }
    if (!service.cancel(taskId)) {
      throw OtterbotException.notFound("not found");
    }
    return Map.of("ok", true);
  }
}
