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
import otterbot.api.skill.SkillService;
import otterbot.rest.internal.SkillJson.CatalogEntryDTO;

/**
 * {@code GET /api/skill-catalog}: upstream-behaviour §8.4, the installable skills in the service's order (upstream's
 * builtin pack, its optional pack, then what skill bundles ship), each saying whether it can be installed here. Needs
 * no agent, so only the skill service; 503 until it is registered.
 */
@Component(service = SkillCatalogResource.class)
@JakartarsResource
@JakartarsName("otterbot.skill-catalog")
@JSONRequired
@Path("skill-catalog")
@Produces(MediaType.APPLICATION_JSON)
public final class SkillCatalogResource {
  private volatile SkillService skills;

  public SkillCatalogResource() {
    // for DS; the service arrives through the setter
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setSkills(SkillService skills) {
    this.skills = skills;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetSkills(SkillService gone) {
    if (skills == gone) {
      skills = null;
    }
  }

  @GET
  public List<CatalogEntryDTO> catalog() {
    SkillService service = SkillJson.require(skills);
    try {
      return service.catalog().stream().map(CatalogEntryDTO::of).toList();
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }
}
