package otterbot.skills.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import otterbot.api.chat.PromptContext;
import otterbot.api.chat.PromptContributor;
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.api.skill.Skill;

/**
 * {@code ## Relevant skills (applied)} (upstream §7.3, part 4): up to {@code promptSkills} (3) of the agent's skills
 * most relevant to the user's message, each with its name, description and whole body. Relevance is the cosine between
 * the message and the skill's name, description and tags with the default embedder (at least {@link #MIN_COSINE}), or,
 * without one, at least two shared words. Skills with scanner errors are never applied. Each applied skill counts a use.
 */
@Component(service = PromptContributor.class, property = PromptContributor.ORDER + ":Integer=300")
public final class SkillsSection implements PromptContributor {
  static final double MIN_COSINE = 0.35;
  /** Skill vectors kept, by skill id and update time. */
  static final int MAX_CACHED = 2000;

  private final SkillServiceImpl skills;
  /** The default embedders, best first. */
  private final List<Ranked> embedders = new CopyOnWriteArrayList<>();
  private final Map<String, float[]> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
      return size() > MAX_CACHED;
    }
  };

  @Activate
  public SkillsSection(@Reference SkillServiceImpl skills) {
    this.skills = skills;
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY, target = "(" + ModelProvider.DEFAULT_EMBEDDER + "=true)")
  void bindEmbedder(ModelProvider provider, Map<String, Object> properties) {
    synchronized (embedders) {
      List<Ranked> next = new ArrayList<>(embedders);
      next.add(new Ranked(provider,
          properties.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0,
          properties.get(Constants.SERVICE_ID) instanceof Long id ? id : Long.MAX_VALUE));
      // As ModelProvider.DEFAULT_EMBEDDER promises (and memory does): the highest ranking, then the oldest service.
      next.sort(Comparator.comparingInt(Ranked::ranking).reversed().thenComparingLong(Ranked::serviceId));
      embedders.clear();
      embedders.addAll(next);
    }
  }

  void unbindEmbedder(ModelProvider provider) {
    synchronized (embedders) {
      embedders.removeIf(r -> r.provider() == provider);
    }
  }

  private record Ranked(ModelProvider provider, int ranking, long serviceId) {}

  @Override
  public String section(PromptContext context) {
    if (skills.promptSkills == 0) {
      return null;
    }
    List<Skill> candidates = skills.list(context.agent().id()).stream()
        .filter(s -> !"errors".equals(s.scanStatus())).toList();
    if (candidates.isEmpty()) {
      return null;
    }
    List<Skill> chosen = relevant(candidates, context.userMessage());
    if (chosen.isEmpty()) {
      return null;
    }
    var out = new StringBuilder("## Relevant skills (applied)\n");
    for (int i = 0; i < chosen.size(); i++) {
      Skill s = chosen.get(i);
      if (i > 0) {
        out.append("\n---\n");
      }
      out.append("### Skill: ").append(s.meta().name()).append('\n');
      if (!s.meta().description().isBlank()) {
        out.append(s.meta().description().strip()).append("\n\n");
      }
      out.append(s.body().strip()).append('\n');
    }
    skills.used(chosen.stream().map(Skill::id).toList());
    return out.toString();
  }

  private List<Skill> relevant(List<Skill> candidates, String message) {
    List<Ranked> ranked = List.copyOf(embedders);
    ModelProvider embedder = ranked.isEmpty() ? null : ranked.get(0).provider();
    var scored = new ArrayList<Map.Entry<Skill, Double>>();
    if (embedder != null) {
      try {
        float[] query = embedder.embed(new EmbeddingRequest(null, List.of(cut(message)), Map.of())).get(0);
        for (Skill s : candidates) {
          double cosine = cosine(query, vector(embedder, s));
          if (cosine >= MIN_COSINE) {
            scored.add(Map.entry(s, cosine));
          }
        }
      } catch (Exception e) {
        scored.clear();
        embedder = null; // fall back to words
      }
    }
    if (embedder == null) {
      Set<String> words = words(message);
      for (Skill s : candidates) {
        Set<String> shared = words(describe(s));
        shared.retainAll(words);
        if (shared.size() >= 2) {
          scored.add(Map.entry(s, (double) shared.size()));
        }
      }
    }
    scored.sort(Map.Entry.<Skill, Double>comparingByValue(Comparator.reverseOrder()));
    return scored.stream().limit(skills.promptSkills).map(Map.Entry::getKey).toList();
  }

  private float[] vector(ModelProvider embedder, Skill s) throws Exception {
    String key = s.id() + "@" + s.updatedAt() + "@" + System.identityHashCode(embedder);
    synchronized (cache) {
      float[] cached = cache.get(key);
      if (cached != null) {
        return cached;
      }
    }
    float[] v = embedder.embed(new EmbeddingRequest(null, List.of(cut(describe(s))), Map.of())).get(0);
    synchronized (cache) {
      cache.put(key, v);
    }
    return v;
  }

  static String describe(Skill s) {
    return s.meta().name() + ": " + s.meta().description() + " " + String.join(" ", s.meta().tags());
  }

  private static String cut(String text) {
    return text.length() <= 2000 ? text : text.substring(0, 2000);
  }

  static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      return 0;
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }

  private static final Set<String> STOP = Set.of("the", "and", "for", "with", "that", "this", "you", "your", "what",
      "how", "can", "are", "was", "from", "have", "has", "use", "using", "into", "about", "when", "which", "who");

  static Set<String> words(String text) {
    var out = new HashSet<String>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (w.length() >= 3 && !STOP.contains(w)) {
        out.add(w.endsWith("s") && w.length() > 4 ? w.substring(0, w.length() - 1) : w);
      }
    }
    return out;
  }
}
