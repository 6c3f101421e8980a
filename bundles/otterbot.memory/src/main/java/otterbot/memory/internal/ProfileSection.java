package otterbot.memory.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.chat.PromptContext;
import otterbot.api.chat.PromptContributor;

/** The user-profile block of the system prompt (upstream §7.3, part 2). */
@Component(service = PromptContributor.class, property = PromptContributor.ORDER + ":Integer=100")
public final class ProfileSection implements PromptContributor {
  private final MemoryServiceImpl memory;

  @Activate
  public ProfileSection(@Reference MemoryServiceImpl memory) {
    this.memory = memory;
  }

  @Override
  public String section(PromptContext context) {
    return Profiles.promptBlock(memory.profile(context.agent().id()));
  }
}
