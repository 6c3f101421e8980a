package otterbot.skills.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import otterbot.api.skill.CatalogEntry;

class SkillCatalogTest {
  final SkillCatalog linux = new SkillCatalog(false);

  @Test
  void listsUpstreamsCatalogBuiltinPackFirstThenOptional() {
    List<CatalogEntry> entries = linux.entries();
    assertTrue(entries.size() > 120, "entries: " + entries.size());
    // The version read for Appendix A: 86 builtin + 81 optional.
    assertEquals(86, entries.stream().filter(e -> e.pack().equals("builtin")).count());
    assertEquals(81, entries.stream().filter(e -> e.pack().equals("optional")).count());
    int firstOptional = 0;
    while (entries.get(firstOptional).pack().equals("builtin")) {
      firstOptional++;
    }
    for (CatalogEntry e : entries.subList(firstOptional, entries.size())) {
      assertEquals("optional", e.pack(), e.id() + " comes after the first optional entry");
    }
    assertEquals("apple-notes", entries.get(0).id());
    assertEquals("page-agent", entries.get(entries.size() - 1).id());
  }

  @Test
  void containsGithubIssuesAndWhisperButNotHermesAgent() {
    CatalogEntry issues = linux.find("github-issues").orElseThrow();
    assertEquals("builtin", issues.pack());
    assertEquals("github", issues.category());
    CatalogEntry whisper = linux.find("whisper").orElseThrow();
    assertEquals("optional", whisper.pack());
    assertEquals("mlops", whisper.category());
    assertTrue(linux.find("hermes-agent").isEmpty());
    assertTrue(linux.find(null).isEmpty());
  }

  @Test
  void everyEntryHasAnIdACategoryAndADescriptionAndIdsAreUnique() {
    Set<String> ids = new HashSet<>();
    for (CatalogEntry e : linux.entries()) {
      assertTrue(e.id().matches("[a-z0-9-]+"), e.id());
      assertFalse(e.category().isBlank(), e.id());
      assertFalse(e.description().isBlank(), e.id());
      assertTrue(e.requires() == null || e.requires().equals("macos") || e.requires().equals("heavy"), e.id());
      assertTrue(ids.add(e.id()), "duplicate " + e.id());
    }
  }

  @Test
  void macOsOnlySkillsAreListedAsUnavailableElsewhereWithTheReason() {
    CatalogEntry notes = linux.find("apple-notes").orElseThrow();
    assertFalse(notes.available());
    assertEquals("needs macOS", notes.unavailableReason());
    assertEquals(5, linux.entries().stream().filter(e -> !e.available()).count());

    CatalogEntry onMac = new SkillCatalog(true).find("apple-notes").orElseThrow();
    assertTrue(onMac.available());
    assertNull(onMac.unavailableReason());
  }

  @Test
  void heavySkillsStayAvailableWithoutAReason() {
    CatalogEntry whisper = linux.find("whisper").orElseThrow();
    assertEquals("heavy", whisper.requires());
    assertTrue(whisper.available());
    assertNull(whisper.unavailableReason());
  }

  @Test
  void recognisesMacOsByItsOsName() {
    assertTrue(SkillCatalog.isMacOs("Mac OS X"));
    assertFalse(SkillCatalog.isMacOs("Linux"));
    assertFalse(SkillCatalog.isMacOs("Windows 11"));
  }

  @Test
  void rawUrlUsesThePackDirectoryAndTheCategory() {
    String upstream = "https://raw.githubusercontent.com/NousResearch/hermes-agent/main";
    assertEquals(upstream + "/skills/github/github-issues/SKILL.md",
        SkillCatalog.rawUrl(linux.find("github-issues").orElseThrow(), SkillCatalog.DEFAULT_BASE_URL));
    assertEquals(upstream + "/optional-skills/mlops/whisper/SKILL.md",
        SkillCatalog.rawUrl(linux.find("whisper").orElseThrow(), null));
  }

  @Test
  void rawUrlPrefersTheSubdirAndIgnoresTrailingSlashesOfTheBase() {
    assertEquals("http://127.0.0.1:8080/mirror/optional-skills/mlops/training/axolotl/SKILL.md",
        SkillCatalog.rawUrl(linux.find("axolotl").orElseThrow(), "http://127.0.0.1:8080/mirror//"));
    assertEquals("http://127.0.0.1:8080/optional-skills/mlops/inference/outlines/SKILL.md",
        SkillCatalog.rawUrl(linux.find("outlines").orElseThrow(), "http://127.0.0.1:8080"));
  }

  @Test
  void rawUrlRefusesEntriesThatHaveNoUpstreamBody() {
    CatalogEntry fromBundle = new CatalogEntry("demo", "examples", "d", "bundle", null, null, true, null);
    assertThrows(IllegalArgumentException.class, () -> SkillCatalog.rawUrl(fromBundle, SkillCatalog.DEFAULT_BASE_URL));
  }
}
