package otterbot.skills.internal;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.BundleTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.skill.CatalogEntry;
import otterbot.api.skill.ScanFinding;
import otterbot.api.skill.Skill;
import otterbot.api.skill.SkillMeta;

/**
 * The extender for skill bundles: a bundle that holds {@code skills/<name>/SKILL.md} resources contributes those
 * skills while it is active. With the manifest header {@value #AGENTS_HEADER} (agent ids, comma-separated) they are
 * attached to those agents; without it they are listed in the catalog (pack {@code bundle}) and can be installed.
 * They are gone when the bundle stops. A skill with scanner errors is skipped and logged.
 */
final class ContributedSkills extends BundleTracker<List<ContributedSkills.Contribution>> {
  private static final Logger LOG = LoggerFactory.getLogger(ContributedSkills.class);
  static final String AGENTS_HEADER = "OtterBot-Skill-Agents";
  /** Per bundle: a skill bundle with more is cut there (and says so in the log). */
  static final int MAX_SKILLS_PER_BUNDLE = 200;
  static final int MAX_SKILL_BYTES = 256 * 1024;
  /** Where a skill's SKILL.md is: {@code skills/<name>/SKILL.md}, nowhere deeper. */
  private static final Pattern SKILL_PATH = Pattern.compile("/?skills/[^/]+/SKILL\\.md");

  /** One SKILL.md of a bundle: its catalog entry and, per attached agent, the skill. */
  record Contribution(String bundle, String name, String raw, SkillMeta meta, CatalogEntry entry,
      List<Skill> attached) {}

  ContributedSkills(BundleContext context) {
    super(context, Bundle.ACTIVE, null);
  }

  @Override
  public List<Contribution> addingBundle(Bundle bundle, org.osgi.framework.BundleEvent event) {
    Enumeration<URL> entries = bundle.findEntries("skills", "SKILL.md", true);
    if (entries == null) {
      return null; // not a skill bundle: not tracked
    }
    String bsn = bundle.getSymbolicName();
    List<String> agents = agents(bundle.getHeaders().get(AGENTS_HEADER));
    var out = new ArrayList<Contribution>();
    for (URL url : Collections.list(entries)) {
      if (!SKILL_PATH.matcher(url.getPath()).matches()) {
        continue; // a SKILL.md among a skill's references/ or assets/ is a file of that skill, not a skill
      }
      if (out.size() >= MAX_SKILLS_PER_BUNDLE) {
        LOG.warn("Bundle {} has more than {} skills; the rest are left out", bsn, MAX_SKILLS_PER_BUNDLE);
        break;
      }
      try {
        String raw = read(url);
        List<ScanFinding> findings = SkillScanner.scan(raw);
        if ("errors".equals(SkillScanner.status(findings))) {
          LOG.warn("Skill {} of bundle {} is left out: {}", url.getPath(), bsn, SkillScanner.format(findings));
          continue;
        }
        SkillMarkdown.Document parsed = SkillMarkdown.parse(raw);
        String name = directory(url.getPath());
        var entry = new CatalogEntry(name, "bundle:" + bsn, parsed.meta().description(), "bundle", null, null, true,
            null);
        var attached = new ArrayList<Skill>();
        for (String agent : agents) {
          attached.add(new Skill(bsn + ":" + name, agent, parsed.meta(), parsed.body(), "builtin",
              SkillScanner.status(findings), findings, 0, Instant.EPOCH, Instant.EPOCH, bsn));
        }
        out.add(new Contribution(bsn, name, raw, parsed.meta(), entry, List.copyOf(attached)));
      } catch (RuntimeException | java.io.IOException e) {
        LOG.warn("Skill {} of bundle {} cannot be read: {}", url.getPath(), bsn, e.getMessage());
      }
    }
    LOG.info("Bundle {} contributes {} skills{}", bsn, out.size(),
        agents.isEmpty() ? " to the catalog" : " to agents " + agents);
    return List.copyOf(out);
  }

  @Override
  public void removedBundle(Bundle bundle, org.osgi.framework.BundleEvent event, List<Contribution> object) {
    LOG.info("Bundle {} no longer contributes its {} skills", bundle.getSymbolicName(), object.size());
  }

  /** Everything contributed now, by bundle (in no particular order of bundles). */
  List<Contribution> all() {
    Map<Bundle, List<Contribution>> tracked = getTracked();
    var out = new ArrayList<Contribution>();
    // In install order, so that of two bundles with a skill of the same name the first one installed always wins.
    tracked.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.comparingLong(Bundle::getBundleId)))
        .forEach(e -> out.addAll(e.getValue()));
    return out;
  }

  private static List<String> agents(String header) {
    if (header == null || header.isBlank()) {
      return List.of();
    }
    var out = new ArrayList<String>();
    for (String id : header.split(",")) {
      if (!id.isBlank()) {
        out.add(id.strip());
      }
    }
    return List.copyOf(out);
  }

  /** {@code skills/otter-facts/SKILL.md} is the skill {@code otter-facts}. */
  private static String directory(String path) {
    String p = path.endsWith("/SKILL.md") ? path.substring(0, path.length() - "/SKILL.md".length()) : path;
    int slash = p.lastIndexOf('/');
    return slash >= 0 ? p.substring(slash + 1) : p;
  }

  private static String read(URL url) throws java.io.IOException {
    try (var in = url.openStream()) {
      byte[] bytes = in.readNBytes(MAX_SKILL_BYTES + 1);
      if (bytes.length > MAX_SKILL_BYTES) {
        throw new java.io.IOException("larger than " + MAX_SKILL_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
