package otterbot.memory.internal;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.chat.PromptContext;
import otterbot.api.chat.PromptContributor;
import otterbot.api.memory.MemoryHit;

/**
 * {@code ## Relevant memories} (upstream §7.3, part 3): up to {@code promptMemories} (6) of the agent's memories most
 * relevant to the user's message, each cut to 240 characters. Matches that are neither about the same thing (cosine
 * below {@link #MIN_SCORE} after weighting) nor share a word are left out: an unrelated memory in the prompt only
 * distracts the model. Each injected memory counts as a use.
 */
@Component(service = PromptContributor.class, property = PromptContributor.ORDER + ":Integer=200")
public final class MemoriesSection implements PromptContributor {
  static final double MIN_SCORE = 0.2;
  static final int MAX_CHARS = 240;
  private final MemoryServiceImpl memory;

  @Activate
  public MemoriesSection(@Reference MemoryServiceImpl memory) {
    this.memory = memory;
  }

  @Override
  public String section(PromptContext context) {
    List<MemoryHit> hits = memory.relevantNow(context.agent().id(), context.userMessage(), memory.promptMemories)
        .stream().filter(h -> h.score() >= MIN_SCORE || !"vector".equals(h.via())).toList();
    if (hits.isEmpty()) {
      return null;
    }
    var out = new StringBuilder("## Relevant memories\n");
    for (MemoryHit hit : hits) {
      String content = hit.entry().content().replaceAll("\\s+", " ");
      if (content.length() > MAX_CHARS) {
        int end = MAX_CHARS - 1;
        if (Character.isHighSurrogate(content.charAt(end - 1))) {
          end--; // never half a character (an emoji) before the ellipsis
        }
        content = content.substring(0, end) + "…";
      }
      out.append("- [").append(hit.entry().category()).append("] ").append(content).append('\n');
    }
    memory.touch(hits.stream().map(h -> h.entry().id()).toList());
    return out.toString();
  }
}
