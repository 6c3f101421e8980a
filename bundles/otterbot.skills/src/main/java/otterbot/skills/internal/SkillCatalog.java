package otterbot.skills.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import otterbot.api.skill.CatalogEntry;

/**
 * The index of upstream's skill catalog (upstream §8.4, Appendix A): the skills of the
 * {@code NousResearch/hermes-agent} repository, read once from the bundle's {@code catalog/hermes-skills.json} so
 * that listing works offline. Bodies are not bundled; {@link #rawUrl} says where an install fetches one from.
 *
 * <p>Availability (issue 10, item 8): an entry that {@code requires: macos} is listed as unavailable, with the reason
 * {@value #NEEDS_MACOS}, on any other system; it is listed rather than hidden so that users see what exists. An entry
 * that {@code requires: heavy} stays available with no reason: "heavy" means large Python or GPU dependencies that the
 * skill's own setup steps install, which this server cannot check, and {@link CatalogEntry#unavailableReason()} is
 * documented as "why not, or null", so a note there on an available entry would mislead clients that show it as an
 * error. Clients that want to warn read {@link CatalogEntry#requires()}.
 */
public final class SkillCatalog {
  /** Where bodies are fetched from unless configuration says otherwise: upstream's raw GitHub URL. */
  public static final String DEFAULT_BASE_URL = "https://raw.githubusercontent.com/NousResearch/hermes-agent/main";
  /** The reason given for a macOS-only skill on another system. */
  public static final String NEEDS_MACOS = "needs macOS";
  static final String RESOURCE = "catalog/hermes-skills.json";

  private final List<CatalogEntry> entries;
  private final Map<String, CatalogEntry> byId;

  /** Reads the bundled index, judging availability for the operating system this JVM runs on. */
  public SkillCatalog() {
    this(isMacOs(System.getProperty("os.name", "")));
  }

  /** Reads the bundled index, judging availability as if on macOS or not (tests cover both). */
  public SkillCatalog(boolean macOs) {
    List<Raw> raws = read();
    List<CatalogEntry> list = new ArrayList<>(raws.size());
    Map<String, CatalogEntry> map = new LinkedHashMap<>();
    for (Raw raw : raws) {
      boolean needsMac = "macos".equals(raw.requires());
      CatalogEntry entry = new CatalogEntry(raw.id(), raw.category(), raw.description(), raw.pack(),
          raw.requires(), raw.subdir(), !needsMac || macOs, needsMac && !macOs ? NEEDS_MACOS : null);
      if (map.putIfAbsent(entry.id(), entry) != null) {
        // A duplicate would make install ambiguous; the file is generated, so this is a packaging bug.
        throw new IllegalStateException("duplicate catalog id " + entry.id() + " in " + RESOURCE);
      }
      list.add(entry);
    }
    this.entries = Collections.unmodifiableList(list);
    this.byId = Collections.unmodifiableMap(map);
  }

  /** Every entry: the builtin pack first, then the optional one, each in upstream's order. */
  public List<CatalogEntry> entries() {
    return entries;
  }

  /** The entry with this id, if the catalog has one. */
  public Optional<CatalogEntry> find(String id) {
    return Optional.ofNullable(id == null ? null : byId.get(id));
  }

  /**
   * The raw URL of an entry's SKILL.md (upstream §8.4): {@code <base>/<packDir>/<subdir ?? category>/<id>/SKILL.md},
   * where packDir is {@code skills} for the builtin pack and {@code optional-skills} for the optional one.
   *
   * @param baseUrl the repository's raw base, for example {@link #DEFAULT_BASE_URL}; trailing slashes are ignored
   * @throws IllegalArgumentException for an entry of another pack (a skill bundle's entries have no remote body)
   */
  public static String rawUrl(CatalogEntry entry, String baseUrl) {
    String packDir = switch (String.valueOf(entry.pack())) {
      case "builtin" -> "skills";
      case "optional" -> "optional-skills";
      default -> throw new IllegalArgumentException(
          "catalog skill " + entry.id() + " of pack " + entry.pack() + " has no upstream URL");
    };
    String base = baseUrl == null || baseUrl.isBlank() ? DEFAULT_BASE_URL : baseUrl.strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String dir = entry.subdir() != null && !entry.subdir().isEmpty() ? entry.subdir() : entry.category();
    return base + "/" + packDir + "/" + dir + "/" + entry.id() + "/SKILL.md";
  }

  static boolean isMacOs(String osName) {
    String name = osName.toLowerCase(Locale.ROOT);
    return name.startsWith("mac") || name.startsWith("darwin");
  }

  private static List<Raw> read() {
    // The class loader of this class is the bundle's, so the resource is found inside the jar under OSGi too.
    try (InputStream in = SkillCatalog.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the bundle");
      }
      return new ObjectMapper().readValue(in, new TypeReference<List<Raw>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** One entry as the JSON file spells it (upstream's CatalogSkill shape). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Raw(String id, String category, String description, String pack, String requires, String subdir) {}
}
