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

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.OtterbotException;
import otterbot.api.orchestration.SubagentTask;
import otterbot.api.orchestration.Subagents;

/**
 * {@code GET /api/subagent-tasks}: upstream-behaviour §4.8, every subagent task, newest first, in the record's field
 * order (upstream's; Jackson writes a record's components in declaration order). Fields that upstream types
 * {@code | null} are sent as null, not left out. 503 until the core's subagent service is registered.
 */
@Component(service = SubagentTasksResource.class)
@JakartarsResource
@JakartarsName("otterbot.subagent-tasks")
@JSONRequired
@Path("subagent-tasks")
@Produces(MediaType.APPLICATION_JSON)
public final class SubagentTasksResource {
  static final String UNAVAILABLE = "the subagent service is not available yet";

  private volatile Subagents subagents;

  public SubagentTasksResource() {
    // for DS; the service arrives through setSubagents
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setSubagents(Subagents subagents) {
    this.subagents = subagents;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetSubagents(Subagents gone) {
    if (subagents == gone) {
      subagents = null;
    }
  }

  @GET
  public List<SubagentTask> tasks() {
    Subagents service = subagents;
    if (service == null) {
      throw OtterbotException.unavailable(UNAVAILABLE, null);
    }
    return service.tasks();
  }
}
