package otterbot.skills.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentLifecycleListener;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.persistence.SkillStore;
import otterbot.api.skill.CatalogEntry;
import otterbot.api.skill.ScanFinding;
import otterbot.api.skill.Skill;
import otterbot.api.skill.SkillMeta;
import otterbot.api.skill.SkillService;

/**
 * Agents' skills (upstream §4.5, §8): stored ones ({@link SkillStore}) and those skill bundles attach
 * ({@link ContributedSkills}); the catalog (upstream's index, shipped in this bundle, plus what skill bundles offer);
 * install, import and export. Every SKILL.md that comes in is scanned ({@link SkillScanner}); install and import refuse
 * scanner errors, a skill created through the API keeps {@code scanStatus: errors} (upstream), and a skill a tool
 * edits is scanned again.
 */
@Component(service = {SkillService.class, AgentLifecycleListener.class, SkillServiceImpl.class},
    configurationPid = SkillsConfiguration.PID)
@Designate(ocd = SkillsConfiguration.class)
public final class SkillServiceImpl implements SkillService, AgentLifecycleListener {
  private static final Logger LOG = LoggerFactory.getLogger(SkillServiceImpl.class);
  static final Pattern AGENT_ID = Pattern.compile("[a-z0-9](?:[a-z0-9_-]{0,126}[a-z0-9])?");
  static final String NEEDS_NAME_AND_BODY = "skill markdown needs frontmatter `name` and a body";
  private static final String ALPHABET = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SkillStore store;
  static final int MAX_CACHED_AGENTS = 1024;
  /** See {@link #stored}; guarded by itself, as is {@link #writes}. */
  private final Map<String, List<Skill>> storedByAgent = new HashMap<>();
  private long writes;
  private final AgentRegistry agents;
  private final SkillCatalog catalog;
  private final SafeFetcher fetcher;
  private final ContributedSkills contributed;
  private final String catalogBase;
  private final int maxSkills;
  final int promptSkills;
  private final Clock clock;
  /** The command-line tools skills name (metadata requires-bins), looked up on the PATH. */
  private final RequiredCommands commands;

  @Activate
  public SkillServiceImpl(@Reference SkillStore store, @Reference AgentRegistry agents, SkillsConfiguration config,
      BundleContext context) {
    this(store, agents, config, context == null ? null : new ContributedSkills(context), Clock.systemUTC());
  }

  SkillServiceImpl(SkillStore store, AgentRegistry agents, SkillsConfiguration config, ContributedSkills contributed,
      Clock clock) {
    this(store, agents, config, contributed, clock, RequiredCommands.ofThisProcess());
  }

  SkillServiceImpl(SkillStore store, AgentRegistry agents, SkillsConfiguration config, ContributedSkills contributed,
      Clock clock, RequiredCommands commands) {
    this.store = store;
    this.agents = agents;
    this.catalog = new SkillCatalog();
    this.fetcher = new SafeFetcher(SafeFetcher.Options.defaults().withAllow(Arrays.asList(config.fetchAllow()))
        .withTimeout(Duration.ofSeconds(Math.max(1, config.fetchTimeoutSeconds()))));
    this.catalogBase = config.catalogBaseUrl().replaceAll("/+$", "");
    this.maxSkills = Math.max(1, Math.min(1000, config.maxSkillsPerAgent()));
    this.promptSkills = Math.max(0, Math.min(10, config.promptSkills()));
    this.clock = clock;
    this.commands = commands;
    this.contributed = contributed;
    if (contributed != null) {
      contributed.open();
    }
  }

  @Deactivate
  void close() {
    if (contributed != null) {
      contributed.close();
    }
  }

  // ------------------------------------------------------------------------------------------ reading

  @Override
  public List<Skill> list(String agentId) {
    if (agentId != null) {
      validAgentId(agentId);
    }
    var out = new ArrayList<>(stored(agentId));
    for (ContributedSkills.Contribution c : contributions()) {
      c.attached().stream().filter(s -> agentId == null || s.agentId().equals(agentId)).forEach(out::add);
    }
    return List.copyOf(out);
  }

  @Override
  public Optional<Skill> get(String agentId, String skillId) {
    validAgentId(agentId);
    if (skillId == null || skillId.isBlank() || skillId.length() > 200) {
      return Optional.empty();
    }
    Optional<Skill> stored = store.get(skillId).filter(s -> s.agentId().equals(agentId));
    if (stored.isPresent()) {
      return stored;
    }
    return contributions().stream().flatMap(c -> c.attached().stream())
        .filter(s -> s.agentId().equals(agentId) && s.id().equals(skillId)).findFirst();
  }

  @Override
  public Optional<String> export(String agentId, String skillId) {
    return get(agentId, skillId).map(s -> SkillMarkdown.serialise(s.meta(), s.body()));
  }

  @Override
  public List<CatalogEntry> catalog() {
    // One entry per id, the one install takes: a bundle's skill shadows upstream's entry of the same name (in its
    // place), and of two bundles' skills of one name the first bundle installed wins.
    Map<String, CatalogEntry> byId = new LinkedHashMap<>();
    catalog.entries().forEach(e -> byId.put(e.id(), e));
    for (ContributedSkills.Contribution c : contributions()) {
      CatalogEntry earlier = byId.get(c.name());
      if (c.attached().isEmpty() && (earlier == null || !"bundle".equals(earlier.pack()))) {
        byId.put(c.name(), available(c));
      }
    }
    return List.copyOf(byId.values());
  }

  // ------------------------------------------------------------------------------------------ writing

  @Override
  public Skill createFromMarkdown(String agentId, String raw) {
    requireAgent(agentId);
    SkillMarkdown.Document parsed = SkillMarkdown.parse(raw == null ? "" : raw);
    if (parsed.body().isBlank() || parsed.meta().name().isBlank()) {
      throw OtterbotException.invalid(NEEDS_NAME_AND_BODY);
    }
    return insert(agentId, parsed.meta(), parsed.body(), "imported", SkillScanner.scan(raw));
  }

  @Override
  public Skill createAuthored(String agentId, String name, String description, String body, List<String> tags) {
    requireAgent(agentId);
    if (name == null || name.isBlank()) {
      throw OtterbotException.invalid("name is required");
    }
    if (body == null || body.isBlank()) {
      throw OtterbotException.invalid("body is required");
    }
    var meta = new SkillMeta(name.strip(), description == null ? "" : description.strip(), "1.0.0", agentId,
        List.of(), List.of(), null, tags, null, null, null, null);
    String text = SkillMarkdown.serialise(meta, body.strip());
    return insert(agentId, meta, body.strip(), "authored", SkillScanner.scan(text));
  }

  @Override
  public Optional<Skill> update(String agentId, String skillId, String body, String appendNote,
      String description) {
    validAgentId(agentId);
    Optional<Skill> found = get(agentId, skillId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Skill old = found.get();
    if (old.contributedBy() != null) {
      throw OtterbotException.conflict("the skill '" + old.meta().name() + "' comes from the bundle "
          + old.contributedBy() + " and cannot be changed; author a new one instead");
    }
    String newBody = old.body();
    if (body != null && !body.isBlank()) {
      newBody = body.strip();
    } else if (appendNote != null && !appendNote.isBlank()) {
      newBody = old.body() + "\n\n## Note (" + LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) + ")\n"
          + appendNote.strip();
    }
    SkillMeta m = old.meta();
    SkillMeta meta = description == null ? m : new SkillMeta(m.name(), description.strip(), m.version(), m.author(),
        m.tools(), m.capabilities(), m.parameters(), m.tags(), m.license(), m.compatibility(), m.metadata(),
        m.allowedTools());
    String text = SkillMarkdown.serialise(meta, newBody);
    List<ScanFinding> findings = SkillScanner.scan(text);
    var updated = new Skill(old.id(), agentId, meta, newBody, old.source(), SkillScanner.status(findings), findings,
        old.useCount(), old.createdAt(), now(), null);
    try {
      return store.update(updated) ? Optional.of(updated) : Optional.empty();
    } finally {
      changed();
    }
  }

  @Override
  public boolean delete(String agentId, String skillId) {
    validAgentId(agentId);
    if (skillId == null || skillId.isBlank() || skillId.length() > 64) {
      return false;
    }
    try {
      return store.delete(agentId, skillId);
    } finally {
      changed();
    }
  }

  @Override
  public Skill install(String agentId, String catalogId) {
    requireAgent(agentId);
    if (catalogId == null || catalogId.isBlank()) {
      throw OtterbotException.invalid("unknown catalog skill");
    }
    Optional<ContributedSkills.Contribution> fromBundle = contributions().stream()
        .filter(c -> c.attached().isEmpty() && c.name().equals(catalogId)).findFirst();
    String raw;
    if (fromBundle.isPresent()) {
      CatalogEntry entry = available(fromBundle.get());
      if (!entry.available()) {
        throw OtterbotException.invalid("the catalog skill '" + catalogId + "' is not available here: "
            + entry.unavailableReason());
      }
      raw = fromBundle.get().raw();
    } else {
      CatalogEntry entry = catalog.entries().stream().filter(e -> e.id().equals(catalogId)).findFirst()
          .orElseThrow(() -> OtterbotException.invalid("unknown catalog skill"));
      if (!entry.available()) {
        throw OtterbotException.invalid("the catalog skill '" + catalogId + "' is not available here: "
            + entry.unavailableReason());
      }
      try {
        raw = fetcher.get(SkillCatalog.rawUrl(entry, catalogBase));
      } catch (SafeFetcher.StatusException e) {
        // Upstream's words (§4.5), answered with 502 by the REST layer: the catalog's host failed, not the request.
        throw OtterbotException.unavailable("could not fetch skill from GitHub: " + e.status() + " "
            + e.reasonPhrase(), e);
      }
    }
    List<ScanFinding> findings = SkillScanner.scan(raw);
    if ("errors".equals(SkillScanner.status(findings))) {
      throw OtterbotException.invalid("skill rejected by security scanner: " + SkillScanner.format(findings));
    }
    SkillMarkdown.Document parsed = SkillMarkdown.parse(raw);
    if (parsed.body().isBlank() || parsed.meta().name().isBlank()) {
      throw OtterbotException.invalid("the fetched SKILL.md is missing frontmatter `name` or a body");
    }
    // Upstream's index cannot say which tools a skill needs; its SKILL.md may. Installed all the same (the user asked
    // for it and may install the tool next), with a line that explains a later failure.
    commands.unavailableReason(parsed.meta()).ifPresent(reason -> LOG.warn("Skill '{}' installed for agent '{}' {}",
        catalogId, agentId, reason));
    return insert(agentId, parsed.meta(), parsed.body(), "builtin", findings);
  }

  @Override
  public Skill importSkill(String agentId, String url, String raw) {
    String target = agentId == null ? AgentProfile.COO_ID : agentId;
    requireAgent(target);
    String text;
    if (url != null && !url.isBlank()) {
      try {
        text = fetcher.get(url.strip());
      } catch (OtterbotException e) {
        // Every failure of an import is the client's to read (upstream answers them all with 400).
        throw OtterbotException.invalid(e.getMessage());
      }
    } else if (raw != null && !raw.isBlank()) {
      text = raw;
    } else {
      throw OtterbotException.invalid("Provide `url` or `raw`");
    }
    List<ScanFinding> findings = SkillScanner.scan(text);
    if ("errors".equals(SkillScanner.status(findings))) {
      throw OtterbotException.invalid("Skill rejected by scanner: " + SkillScanner.format(findings));
    }
    SkillMarkdown.Document parsed = SkillMarkdown.parse(text);
    if (parsed.body().isBlank()) {
      throw OtterbotException.invalid(NEEDS_NAME_AND_BODY);
    }
    return insert(target, parsed.meta(), parsed.body(), "imported", findings);
  }

  @Override
  public void used(List<String> skillIds) {
    List<String> stored = skillIds.stream().filter(id -> id.indexOf(':') < 0).toList();
    if (!stored.isEmpty()) {
      try {
        store.used(stored);
      } catch (RuntimeException e) {
        LOG.debug("Counting the use of {} skills failed: {}", stored.size(), e.toString());
      } finally {
        changed();
      }
    }
  }

  @Override
  public void deleted(AgentProfile agent) {
    int n;
    try {
      n = store.deleteAll(agent.id());
    } finally {
      changed();
    }
    // The agent registry deleted the rows already; what is left here was written while it did.
    LOG.debug("Deleted agent '{}': {} more skills", agent.id(), n);
  }

  // ------------------------------------------------------------------------------------------ internals

  /**
   * The agent's stored skills, from memory when they were read since the last write: every chat turn lists them for
   * its prompt, and for most agents the answer is "none" (issue 12: a database read of every turn's time to first
   * token). This service is the only writer of the skills table, and every write drops what is held; a read that ran
   * alongside a write is not kept. At most {@link #MAX_CACHED_AGENTS} agents are held.
   */
  private List<Skill> stored(String agentId) {
    if (agentId == null) {
      return store.list(null);
    }
    long seen;
    synchronized (storedByAgent) {
      List<Skill> held = storedByAgent.get(agentId);
      if (held != null) {
        return held;
      }
      seen = writes;
    }
    List<Skill> loaded = List.copyOf(store.list(agentId));
    synchronized (storedByAgent) {
      if (writes == seen) {
        if (storedByAgent.size() >= MAX_CACHED_AGENTS) {
          storedByAgent.clear();
        }
        storedByAgent.put(agentId, loaded);
      }
    }
    return loaded;
  }

  /** After every write (also a failed one: its outcome may be unknown). */
  private void changed() {
    synchronized (storedByAgent) {
      writes++;
      storedByAgent.clear();
    }
  }

  private Skill insert(String agentId, SkillMeta meta, String body, String source, List<ScanFinding> findings) {
    if (stored(agentId).size() >= maxSkills) {
      throw OtterbotException.invalid("agent '" + agentId + "' has " + maxSkills
          + " skills, the most allowed (maxSkillsPerAgent in otterbot.skills.cfg); delete one first");
    }
    Instant now = now();
    var skill = new Skill(newId(), agentId, meta, body, source, SkillScanner.status(findings), findings, 0, now, now,
        null);
    try {
      store.insert(skill);
    } finally {
      changed();
    }
    if (!findings.isEmpty()) {
      LOG.info("Skill '{}' of agent '{}' saved with scan status {}: {}", meta.name(), agentId, skill.scanStatus(),
          SkillScanner.format(findings));
    }
    return skill;
  }

  /** A bundle's catalog entry, unavailable while a command its skill names is not on the PATH (looked up now). */
  private CatalogEntry available(ContributedSkills.Contribution c) {
    CatalogEntry e = c.entry();
    return commands.unavailableReason(c.meta())
        .map(reason -> new CatalogEntry(e.id(), e.category(), e.description(), e.pack(), e.requires(), e.subdir(),
            false, reason))
        .orElse(e);
  }

  private List<ContributedSkills.Contribution> contributions() {
    return contributed == null ? List.of() : contributed.all();
  }

  private void requireAgent(String agentId) {
    validAgentId(agentId);
    if (agents.get(agentId).isEmpty()) {
      throw OtterbotException.notFound("Unknown agent: " + agentId);
    }
  }

  private static void validAgentId(String agentId) {
    if (agentId == null || !AGENT_ID.matcher(agentId).matches()) {
      throw OtterbotException.invalid("agentId must be an agent id: 1 to 128 lower-case letters, digits, '_' or '-'");
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  static String newId() {
    var id = new StringBuilder(21);
    for (int i = 0; i < 21; i++) {
      id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }
}
