package otterbot.rest.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import otterbot.api.OtterbotException;
import otterbot.api.skill.CatalogEntry;
import otterbot.api.skill.ScanFinding;
import otterbot.api.skill.Skill;
import otterbot.api.skill.SkillMeta;
import otterbot.api.skill.SkillParameter;
import otterbot.api.skill.SkillService;

/**
 * What the skill routes send (upstream-behaviour §3.5 Skill, SkillMeta, ScanFinding; §8.4 catalog entries; §4.5 the
 * export-all items) and the checks they share. As in {@link MemoryJson}, the wire shapes are our own records, so that
 * the field order and what is left out are fixed here. Maps are sent sorted by key, so the same skill is always the
 * same text.
 */
final class SkillJson {
  static final String UNAVAILABLE = "the skill service is not available yet";
  /** A SKILL.md: the store's 256 KiB body plus 64 KiB of frontmatter. */
  static final int MAX_RAW_LENGTH = 262_144 + 65_536;
  static final String RAW_TOO_LONG = "raw must be at most " + MAX_RAW_LENGTH + " characters";
  /** As the agentskills.io name; upstream's authored names are free text, so only the length is checked here. */
  static final int MAX_NAME_LENGTH = 64;
  /** agentskills.io's bound. */
  static final int MAX_DESCRIPTION_LENGTH = 1024;
  static final int MAX_BODY_LENGTH = 262_144;
  static final int MAX_TAGS = 20;
  static final int MAX_TAG_LENGTH = 64;
  static final int MAX_URL_LENGTH = 2048;

  private static final Pattern NOT_SLUG = Pattern.compile("[^a-z0-9]+");

  private SkillJson() {}

  /**
   * One skill in upstream's field order; {@code agentId} only on the cross-agent listing, {@code contributedBy} only
   * for a skill that a bundle contributes.
   */
  @JsonPropertyOrder({"id", "meta", "body", "source", "scanStatus", "scanFindings", "useCount", "createdAt",
      "updatedAt", "agentId", "contributedBy"})
  record SkillDTO(String id, MetaDTO meta, String body, String source, String scanStatus,
      List<FindingDTO> scanFindings, int useCount, Instant createdAt, Instant updatedAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) String agentId,
      @JsonInclude(JsonInclude.Include.NON_NULL) String contributedBy) {

    /** As the per-agent routes send it: the agent is in the path. */
    static SkillDTO of(Skill s) {
      return new SkillDTO(s.id(), MetaDTO.of(s.meta()), s.body(), s.source(), s.scanStatus(),
          s.scanFindings().stream().map(FindingDTO::of).toList(), s.useCount(), s.createdAt(), s.updatedAt(), null,
          s.contributedBy());
    }

    /** As {@code GET /api/skills} lists it, naming its agent. */
    static SkillDTO withAgent(Skill s) {
      SkillDTO d = of(s);
      return new SkillDTO(d.id, d.meta, d.body, d.source, d.scanStatus, d.scanFindings, d.useCount, d.createdAt,
          d.updatedAt, s.agentId(), d.contributedBy);
    }
  }

  /**
   * §3.5 SkillMeta, then the agentskills.io keys only when the skill has them, under their specification's names (so
   * {@code allowed-tools}, as in the SKILL.md).
   */
  @JsonPropertyOrder({"name", "description", "version", "author", "tools", "capabilities", "parameters", "tags",
      "license", "compatibility", "metadata", "allowed-tools"})
  record MetaDTO(String name, String description, String version, String author, List<String> tools,
      List<String> capabilities, Map<String, ParameterDTO> parameters, List<String> tags,
      @JsonInclude(JsonInclude.Include.NON_NULL) String license,
      @JsonInclude(JsonInclude.Include.NON_NULL) String compatibility,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata,
      @JsonProperty("allowed-tools") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> allowedTools) {

    static MetaDTO of(SkillMeta m) {
      var parameters = new TreeMap<String, ParameterDTO>();
      m.parameters().forEach((name, p) -> parameters.put(name, ParameterDTO.of(p)));
      return new MetaDTO(m.name(), m.description(), m.version(), m.author(), m.tools(), m.capabilities(), parameters,
          m.tags(), m.license(), m.compatibility(), new TreeMap<>(m.metadata()), m.allowedTools());
    }
  }

  /** {@code {type, default?, description?}}: upstream leaves out what the frontmatter did not say. */
  @JsonPropertyOrder({"type", "default", "description"})
  record ParameterDTO(String type,
      @JsonProperty("default") @JsonInclude(JsonInclude.Include.NON_NULL) Object defaultValue,
      @JsonInclude(JsonInclude.Include.NON_NULL) String description) {

    static ParameterDTO of(SkillParameter p) {
      return new ParameterDTO(p.type(), p.defaultValue(), p.description());
    }
  }

  /** §3.5 ScanFinding: {@code line} and {@code snippet} only when the finding has them. */
  @JsonPropertyOrder({"severity", "category", "message", "line", "snippet"})
  record FindingDTO(String severity, String category, String message,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer line,
      @JsonInclude(JsonInclude.Include.NON_NULL) String snippet) {

    static FindingDTO of(ScanFinding f) {
      return new FindingDTO(f.severity(), f.category(), f.message(), f.line(), f.snippet());
    }
  }

  /**
   * §8.4 CatalogSkill, {@code requires} and {@code subdir} only when set, plus whether it can be installed here and,
   * when it cannot, why (an entry that needs what this machine lacks is listed, not hidden).
   */
  @JsonPropertyOrder({"id", "category", "description", "pack", "requires", "subdir", "available",
      "unavailableReason"})
  record CatalogEntryDTO(String id, String category, String description, String pack,
      @JsonInclude(JsonInclude.Include.NON_NULL) String requires,
      @JsonInclude(JsonInclude.Include.NON_NULL) String subdir, boolean available,
      @JsonInclude(JsonInclude.Include.NON_NULL) String unavailableReason) {

    static CatalogEntryDTO of(CatalogEntry e) {
      return new CatalogEntryDTO(e.id(), e.category(), e.description(), e.pack(), e.requires(), e.subdir(),
          e.available(), e.unavailableReason());
    }
  }

  /** One item of {@code GET /api/skills/export-all}. */
  record ExportDTO(String filename, String content) {}

  /**
   * Every skill of the agent as SKILL.md text, named upstream's way ({@link #slug}{@code .md}). Unlike upstream, two
   * skills of the same slug get distinct names ({@code -2}, {@code -3}, ...), so that saving every item as its file
   * keeps them all. A skill deleted while this runs is left out.
   */
  static List<ExportDTO> exportAll(SkillService service, String agentId) {
    var taken = new HashSet<String>();
    var out = new ArrayList<ExportDTO>();
    for (Skill skill : service.list(agentId)) {
      Optional<String> text = service.export(agentId, skill.id());
      if (text.isEmpty()) {
        continue;
      }
      String slug = slug(skill.meta().name());
      String name = slug;
      for (int n = 2; !taken.add(name); n++) {
        name = slug + "-" + n;
      }
      out.add(new ExportDTO(name + ".md", text.get()));
    }
    return out;
  }

  /**
   * Upstream's file name for a skill: lower case, each run of characters outside {@code [a-z0-9]} one {@code -}, one
   * leading and one trailing {@code -} removed, {@code skill} when nothing is left.
   */
  static String slug(String name) {
    String slug = NOT_SLUG.matcher(name == null ? "" : name.toLowerCase(Locale.ROOT)).replaceAll("-");
    if (slug.startsWith("-")) {
      slug = slug.substring(1);
    }
    if (slug.endsWith("-")) {
      slug = slug.substring(0, slug.length() - 1);
    }
    return slug.isEmpty() ? "skill" : slug;
  }

  /** The skill service's own 404 in upstream's words, and anything else as it is. */
  static OtterbotException translate(OtterbotException e) {
    return MemoryJson.translate(e);
  }

  static SkillService require(SkillService service) {
    if (service == null) {
      throw OtterbotException.unavailable(UNAVAILABLE, null);
    }
    return service;
  }
}
