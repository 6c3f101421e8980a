package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.persistence.jpa.internal.MemoryAndProfileContract.assertInvalid;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.skill.ScanFinding;
import otterbot.api.skill.Skill;
import otterbot.api.skill.SkillMeta;
import otterbot.api.skill.SkillParameter;

/**
 * What {@link otterbot.api.persistence.SkillStore} promises, run against H2 and PostgreSQL by the subclasses. As in
 * {@link MemoryAndProfileContract}, {@link #open()} reaches the same database each time, so closing and opening again
 * is a restart.
 */
abstract class SkillStoreContract {
  /** With nanoseconds, which the store cuts to milliseconds. */
  static final Instant T0 = Instant.parse("2025-03-01T12:34:56.789123456Z");
  static final Instant T0_MILLIS = Instant.parse("2025-03-01T12:34:56.789Z");

  private final List<Storage> opened = new ArrayList<>();

  abstract Storage newStorage();

  abstract Connection jdbc() throws SQLException;

  abstract String schemaName(DatabaseMetaData meta) throws SQLException;

  /** The table's name as SQL on {@link #jdbc()} must write it. */
  abstract String table(String name);

  final Storage open() {
    Storage storage = newStorage();
    opened.add(storage);
    return storage;
  }

  @AfterEach
  void closeStorages() {
    opened.forEach(Storage::close);
    opened.clear();
  }

  static SkillMeta meta(String name) {
    return new SkillMeta(name, "what " + name + " does", "1.0.0", "ada", null, null, null, null, null, null, null,
        null);
  }

  /** An authored skill of the agent, dated {@code T0 + minutes}, never used, scanned clean. */
  static Skill skill(String id, String agent, int minutes) {
    Instant at = T0_MILLIS.plusSeconds(60L * minutes);
    return new Skill(id, agent, meta("skill " + id), "Do " + id + ".", "authored", "clean", List.of(), 0, at, at,
        null);
  }

  static Skill with(Skill s, SkillMeta meta, String body, int useCount) {
    return new Skill(s.id(), s.agentId(), meta, body, s.source(), s.scanStatus(), s.scanFindings(), useCount,
        s.createdAt(), s.updatedAt(), s.contributedBy());
  }

  static List<String> ids(List<Skill> skills) {
    return skills.stream().map(Skill::id).toList();
  }

  // ------------------------------------------------------------------------------------------------- round trips

  @Test
  void aSkillRoundTripsWithEveryFieldTheMetaMapsIncludedAndTimesToTheMillisecond() {
    var skills = open().skills();
    var parameters = Map.of(
        "repo", new SkillParameter("string", "otterbot/otterbot", "owner/name of the repository"),
        "limit", new SkillParameter("number", 20, null),
        "huge", new SkillParameter("number", 5_000_000_000L, "beyond an int"),
        "bigger", new SkillParameter("number", new BigInteger("123456789012345678901234567890"), ""),
        "ratio", new SkillParameter("number", 0.25, "a fraction"),
        "dryRun", new SkillParameter("boolean", false, "only say what would happen"),
        "free", new SkillParameter("string", null, null));
    var meta = new SkillMeta("github-issues", "Triage GitHub issues: label, dedupe, answer. Grüße 🦦", "2.1.0",
        "Nous Research", List.of("web_fetch", "shell_exec"), List.of("triage", "labels"), parameters,
        List.of("github", "issues", "ünïcödé"), "MIT", "Requires gh 2.40+",
        Map.of("source", "hermes-agent", "category", "github", "empty", ""), List.of("Bash(gh:*)", "Read"));
    var findings = List.of(
        new ScanFinding("warning", "exfiltration", "URL found in skill content", 7, "see https://example.org/x"),
        new ScanFinding("warning", "dangerous-tools", "Skill requests shell_exec access — can execute arbitrary "
            + "commands", null, null),
        new ScanFinding("error", "hidden-content", "Zero-width character detected (U+200B)", 3, "a\u200Bb \"q\""));
    String body = "# GitHub issues\n\nUse `gh issue list`.\n\n| a | b |\n|---|---|\n\ttabbed \u0001 \\ \"quoted\"\n";
    var full = new Skill("sk-1", "ada", meta, body, "builtin", "errors", findings, 3, T0, T0.plusSeconds(90), null);
    skills.insert(full);

    var expected = new Skill("sk-1", "ada", meta, body, "builtin", "errors", findings, 3, T0_MILLIS,
        T0_MILLIS.plusSeconds(90), null);
    Skill read = skills.get("sk-1").orElseThrow();
    assertEquals(expected, read);
    assertEquals(Integer.class, read.meta().parameters().get("limit").defaultValue().getClass());
    assertEquals(Long.class, read.meta().parameters().get("huge").defaultValue().getClass());
    assertEquals(BigInteger.class, read.meta().parameters().get("bigger").defaultValue().getClass());
    assertEquals(Double.class, read.meta().parameters().get("ratio").defaultValue().getClass());
    assertEquals(List.of("web_fetch", "shell_exec"), read.meta().tools(), "lists keep their order");
    assertEquals(null, read.contributedBy());

    // Upstream's defaults and nothing else: every optional key absent, null strings stay null.
    var sparse = new Skill("sk-2", "ada", new SkillMeta("Untitled Skill", null, null, null, null, null, null, null,
        null, null, null, null), "x", "imported", "unscanned", null, 0, T0_MILLIS, T0_MILLIS, null);
    skills.insert(sparse);
    assertEquals(sparse, skills.get("sk-2").orElseThrow());
    assertEquals(List.of(expected, sparse), skills.list("ada"));
    assertEquals(Optional.empty(), skills.get("sk-missing"));
  }

  @Test
  void aBodyOfExactlyTheLimitInAnyPlaneFits() {
    var skills = open().skills();
    String unit = "Otter 🦦 日本語 — ";
    String units = unit.repeat(JpaSkillStore.MAX_BODY_LENGTH / unit.length());
    String body = units + "x".repeat(JpaSkillStore.MAX_BODY_LENGTH - units.length());
    skills.insert(with(skill("sk-1", "ada", 0), meta("big"), body, 0));

    assertEquals(body, skills.get("sk-1").orElseThrow().body());
    assertInvalid("body of skill 'sk-2' is too large to store (262145 characters, at most 262144)",
        () -> skills.insert(with(skill("sk-2", "ada", 0), meta("big"), body + "x", 0)));
  }

  @Test
  void skillsSurviveClosingAndReopening() {
    var first = open();
    var skill = skill("sk-1", "ada", 0);
    first.skills().insert(skill);
    first.skills().used(List.of("sk-1"));
    first.close();

    var second = open();
    assertEquals(List.of(with(skill, skill.meta(), skill.body(), 1)), second.skills().list("ada"));
    second.skills().insert(skill("sk-2", "ada", 0));
    assertEquals(List.of("sk-1", "sk-2"), ids(second.skills().list(null)), "creation order goes on after a restart");
  }

  // ---------------------------------------------------------------------------------------------------- order

  @Test
  void listsAreInCreationOrderPerAgentOrForAllWhateverTheTimestampsSay() {
    var skills = open().skills();
    // Created later but dated earlier (an import keeps its own dates), and ids against the alphabet.
    skills.insert(skill("sk-c", "ada", 9));
    skills.insert(skill("sk-b", "coo", 5));
    skills.insert(skill("sk-a", "ada", 1));
    skills.insert(skill("sk-0", "ada", 1));

    assertEquals(List.of("sk-c", "sk-a", "sk-0"), ids(skills.list("ada")));
    assertEquals(List.of("sk-b"), ids(skills.list("coo")));
    assertEquals(List.of("sk-c", "sk-b", "sk-a", "sk-0"), ids(skills.list(null)));
    assertEquals(List.of(), skills.list("nobody"));
    assertEquals(List.of(), skills.list("a".repeat(65)), "an agent id that could never have been stored");

    // An update keeps the skill's place.
    assertTrue(skills.update(with(skill("sk-c", "ada", 20), meta("renamed"), "new body", 0)));
    assertEquals(List.of("sk-c", "sk-a", "sk-0"), ids(skills.list("ada")));
  }

  // -------------------------------------------------------------------------------------------------- writes

  @Test
  void updateReplacesTheAgentsOwnSkillAndKeepsItsUseCountAndCreationTime() {
    var skills = open().skills();
    var original = skill("sk-1", "ada", 0);
    skills.insert(original);
    skills.used(List.of("sk-1", "sk-1"));

    var findings = List.of(new ScanFinding("warning", "prompt-injection", "Coercive tool invocation language detected",
        2, "you must"));
    var edited = new Skill("sk-1", "ada", meta("edited"), "New body\n\n## Note\nlater", "authored", "warnings",
        findings, 0, T0_MILLIS.plusSeconds(3600), T0_MILLIS.plusSeconds(7200), null);
    assertTrue(skills.update(edited));

    assertEquals(new Skill("sk-1", "ada", meta("edited"), "New body\n\n## Note\nlater", "authored", "warnings",
        findings, 1, T0_MILLIS, T0_MILLIS.plusSeconds(7200), null), skills.get("sk-1").orElseThrow(),
        "one use counted (an id given twice counts once), the creation time kept, everything else replaced");

    var hijack = new Skill("sk-1", "coo", meta("hijacked"), "b", "authored", "clean", null, 0, T0, T0, null);
    assertFalse(skills.update(hijack), "another agent's skill is not replaced");
    assertFalse(skills.update(skill("sk-missing", "ada", 0)));
    assertEquals("edited", skills.get("sk-1").orElseThrow().meta().name());
    assertEquals("ada", skills.get("sk-1").orElseThrow().agentId());
    assertEquals(List.of(), skills.list("coo"));
    assertEquals(Optional.empty(), skills.get("sk-missing"), "an update does not insert");
  }

  @Test
  void anExistingIdIsAConflictEvenForAnotherAgent() {
    var skills = open().skills();
    skills.insert(skill("sk-1", "ada", 0));

    for (String agent : List.of("ada", "coo")) {
      var e = assertThrows(OtterbotException.class, () -> skills.insert(skill("sk-1", agent, 5)));
      assertEquals(OtterbotException.Kind.CONFLICT, e.kind());
      assertEquals("skill 'sk-1' exists already", e.getMessage());
    }
    assertEquals(List.of(skill("sk-1", "ada", 0)), skills.list(null));
  }

  @Test
  void usedCountsOneUsePerSkillInOneCallOfAnySize() {
    var skills = open().skills();
    skills.insert(skill("sk-1", "ada", 0));
    skills.insert(skill("sk-2", "coo", 0));
    skills.insert(skill("sk-3", "ada", 0));

    // More ids than one IN list takes, with repeats, unknown ids and ids too long to exist.
    var ids = new ArrayList<String>(IntStream.range(0, 1200).mapToObj(i -> "unknown-" + i).toList());
    ids.addAll(List.of("sk-1", "sk-2", "sk-1", "x".repeat(65), ""));
    Collections.shuffle(ids, new java.util.Random(7));
    skills.used(ids);
    skills.used(List.of("sk-1"));
    skills.used(List.of());

    assertEquals(2, skills.get("sk-1").orElseThrow().useCount());
    assertEquals(1, skills.get("sk-2").orElseThrow().useCount());
    assertEquals(0, skills.get("sk-3").orElseThrow().useCount());
    assertEquals(T0_MILLIS, skills.get("sk-1").orElseThrow().updatedAt(), "a use is not an edit");
  }

  @Test
  void deleteAndDeleteAllKeepToTheirAgent() {
    var skills = open().skills();
    skills.insert(skill("sk-a1", "ada", 0));
    skills.insert(skill("sk-a2", "ada", 0));
    skills.insert(skill("sk-c1", "coo", 0));

    assertFalse(skills.delete("coo", "sk-a1"), "not coo's");
    assertTrue(skills.delete("ada", "sk-a1"));
    assertFalse(skills.delete("ada", "sk-a1"), "already gone");
    assertEquals(List.of("sk-a2"), ids(skills.list("ada")));

    skills.insert(skill("sk-a3", "ada", 0));
    assertEquals(2, skills.deleteAll("ada"));
    assertEquals(List.of(), skills.list("ada"));
    assertEquals(List.of("sk-c1"), ids(skills.list(null)));
    assertEquals(0, skills.deleteAll("ada"));
    assertFalse(skills.delete("ada", ""));
    assertFalse(skills.delete("a".repeat(65), "sk-c1"));
    assertEquals(0, skills.deleteAll("a".repeat(65)));
  }

  /** The per-agent bound counts one agent's skills only; rows are written in one JDBC batch to keep this quick. */
  @Test
  void anAgentHasAtMostAThousandSkills() throws SQLException {
    var skills = open().skills();
    skills.insert(skill("sk-first", "ada", 0));
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement("INSERT INTO " + table("skills")
        + " (id, position, agent_id, meta_json, body, source, scan_status, scan_findings, use_count, created_at,"
        + " updated_at) VALUES (?, ?, 'ada', '{\"name\":\"n\"}', 'b', 'authored', 'clean', '[]', 0, ?, ?)")) {
      for (int i = 2; i <= JpaSkillStore.MAX_SKILLS_PER_AGENT; i++) {
        s.setString(1, "sk-" + i);
        s.setLong(2, i);
        s.setTimestamp(3, Timestamp.valueOf("2025-03-01 12:00:00"));
        s.setTimestamp(4, Timestamp.valueOf("2025-03-01 12:00:00"));
        s.addBatch();
      }
      s.executeBatch();
    }

    var e = assertThrows(OtterbotException.class, () -> skills.insert(skill("sk-1001", "ada", 0)));
    assertEquals(OtterbotException.Kind.CONFLICT, e.kind());
    assertEquals("agent 'ada' has 1000 skills, the most one agent may have; delete one first", e.getMessage());
    skills.insert(skill("sk-coo", "coo", 0));
    assertEquals(JpaSkillStore.MAX_SKILLS_PER_AGENT, skills.list("ada").size());
    assertEquals("sk-coo", skills.list(null).get(JpaSkillStore.MAX_SKILLS_PER_AGENT).id(), "the newest comes last");

    assertTrue(skills.delete("ada", "sk-500"));
    skills.insert(skill("sk-1001", "ada", 0));
    assertEquals("sk-1001", skills.list("ada").get(JpaSkillStore.MAX_SKILLS_PER_AGENT - 1).id());
  }

  // ----------------------------------------------------------------------------------------------- bad input

  @Test
  void badSkillsAreRefusedAsInvalidNamingTheFieldAndNothingIsStored() {
    var skills = open().skills();
    var good = skill("sk-1", "ada", 0);

    assertInvalid("skill id is missing", () -> skills.insert(new Skill(" ", "ada", meta("n"), "b", "authored",
        "clean", null, 0, T0, T0, null)));
    assertInvalid("skill id is longer than 64 characters", () -> skills.insert(new Skill("s".repeat(65), "ada",
        meta("n"), "b", "authored", "clean", null, 0, T0, T0, null)));
    assertInvalid("agent of skill 'sk-1' is missing", () -> skills.insert(new Skill("sk-1", null, meta("n"), "b",
        "authored", "clean", null, 0, T0, T0, null)));
    assertInvalid("skill 'sk-1' is contributed by bundle 'otterbot.skill.example' and is not stored",
        () -> skills.insert(new Skill("sk-1", "ada", meta("n"), "b", "authored", "clean", null, 0, T0, T0,
            "otterbot.skill.example")));
    assertInvalid("meta of skill 'sk-1' is missing", () -> skills.insert(with(good, null, "b", 0)));
    assertInvalid("name of skill 'sk-1' is missing", () -> skills.insert(with(good, meta(" "), "b", 0)));
    assertInvalid("name of skill 'sk-1' is missing", () -> skills.insert(with(good, meta(null), "b", 0)));
    assertInvalid("body of skill 'sk-1' is missing", () -> skills.insert(with(good, meta("n"), null, 0)));
    assertInvalid("body of skill 'sk-1' contains the NUL character",
        () -> skills.insert(with(good, meta("n"), "a\u0000b", 0)));
    assertInvalid("use count of skill 'sk-1' must not be negative",
        () -> skills.insert(with(good, meta("n"), "b", -1)));
    assertInvalid("source of skill 'sk-1' is missing", () -> skills.insert(new Skill("sk-1", "ada", meta("n"), "b",
        null, "clean", null, 0, T0, T0, null)));
    assertInvalid("scan status of skill 'sk-1' is longer than 32 characters", () -> skills.insert(new Skill("sk-1",
        "ada", meta("n"), "b", "authored", "c".repeat(33), null, 0, T0, T0, null)));
    assertInvalid("creation time of skill 'sk-1' is missing", () -> skills.insert(new Skill("sk-1", "ada", meta("n"),
        "b", "authored", "clean", null, 0, null, T0, null)));
    assertInvalid("update time of skill 'sk-1' is missing", () -> skills.insert(new Skill("sk-1", "ada", meta("n"),
        "b", "authored", "clean", null, 0, T0, null, null)));
    var longDescription = new SkillMeta("n", "d".repeat(JpaSkillStore.MAX_META_LENGTH), null, null, null, null,
        null, null, null, null, null, null);
    var e = assertThrows(OtterbotException.class, () -> skills.insert(with(good, longDescription, "b", 0)));
    assertEquals(OtterbotException.Kind.INVALID, e.kind());
    assertTrue(e.getMessage().startsWith("meta of skill 'sk-1' is too large to store ("), e.getMessage());
    var nan = new SkillMeta("n", null, null, null, null, null, Map.of("p", new SkillParameter("number", Double.NaN,
        null)), null, null, null, null, null);
    assertInvalid("default of parameter 'p' of skill 'sk-1' must be a finite number",
        () -> skills.insert(with(good, nan, "b", 0)));
    var list = new SkillMeta("n", null, null, null, null, null, Map.of("p", new SkillParameter("array", List.of(1),
        null)), null, null, null, null, null);
    assertInvalid("default of parameter 'p' of skill 'sk-1' must be a string, a number or a boolean",
        () -> skills.insert(with(good, list, "b", 0)));
    var manyFindings = Collections.nCopies(20_000, new ScanFinding("warning", "exfiltration",
        "URL found in skill content", 1, "https://example.org/" + "x".repeat(40)));
    e = assertThrows(OtterbotException.class, () -> skills.insert(new Skill("sk-1", "ada", meta("n"), "b",
        "authored", "warnings", manyFindings, 0, T0, T0, null)));
    assertEquals(OtterbotException.Kind.INVALID, e.kind());
    assertTrue(e.getMessage().startsWith("scan findings of skill 'sk-1' is too large to store ("), e.getMessage());
    assertInvalid("skill id is missing", () -> skills.used(java.util.Arrays.asList("sk-1", null)));
    List<String> tooMany = IntStream.rangeClosed(0, 10_000).mapToObj(i -> "s" + i).toList();
    assertInvalid("too many skill ids at once (10001, at most 10000)", () -> skills.used(tooMany));
    // The same checks guard an update.
    skills.insert(good);
    assertInvalid("body of skill 'sk-1' is missing", () -> skills.update(with(good, meta("n"), null, 0)));

    assertEquals(List.of(good), skills.list(null), "only the good one was stored");
    assertEquals(Optional.empty(), skills.get("x".repeat(65)));
    assertEquals(Optional.empty(), skills.get(""));
  }

  /** A row damaged by hand must not hide the skill, which could then not even be deleted through the API. */
  @Test
  void aDamagedRowStillListsAndCanBeDeleted() throws Exception {
    var skills = open().skills();
    skills.insert(skill("sk-1", "ada", 0));
    skills.insert(with(skill("sk-2", "ada", 0), meta("fine"), "b", 0));
    try (Connection c = jdbc(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE " + table("skills") + " SET meta_json = '{not json', scan_findings = '[{\"line\":\"x\"'"
          + " WHERE id = 'sk-1'");
      s.executeUpdate("UPDATE " + table("skills") + " SET meta_json = '{\"name\":\"fine\",\"tools\":[null]}'"
          + " WHERE id = 'sk-2'");
    }

    String log = Fixtures.stderrOf(() -> {
      var listed = skills.list("ada");
      assertEquals(List.of("sk-1", "sk-2"), ids(listed));
      assertEquals(JpaSkillStore.UNREADABLE_NAME, listed.get(0).meta().name());
      assertEquals(List.of(), listed.get(0).scanFindings());
      assertEquals("clean", listed.get(0).scanStatus(), "the status is a column of its own");
      assertEquals(JpaSkillStore.UNREADABLE_NAME, listed.get(1).meta().name(), "a null in a list is damage too");
    });
    assertTrue(log.contains("The meta of skill 'sk-1' cannot be read"), log);
    assertTrue(log.contains("The scan findings of skill 'sk-1' cannot be read"), log);
    assertTrue(skills.delete("ada", "sk-1"));
  }

  // -------------------------------------------------------------------------------------------------- indexes

  @Test
  void anAgentsSkillsAreIndexedInCreationOrder() throws SQLException {
    open().close();
    try (Connection c = jdbc()) {
      DatabaseMetaData meta = c.getMetaData();
      var byName = new TreeMap<String, TreeMap<Integer, String>>();
      try (ResultSet rs = meta.getIndexInfo(null, schemaName(meta),
          ConversationAndSecretContract.identifier(meta, "skills"), false, false)) {
        while (rs.next()) {
          if (rs.getString("INDEX_NAME") != null && rs.getString("COLUMN_NAME") != null) {
            byName.computeIfAbsent(rs.getString("INDEX_NAME"), k -> new TreeMap<>())
                .put(rs.getInt("ORDINAL_POSITION"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
          }
        }
      }
      var indexes = byName.values().stream().map(columns -> List.copyOf(columns.values())).toList();
      assertTrue(indexes.contains(List.of("agent_id", "position")), indexes.toString());
      assertTrue(indexes.contains(List.of("id")), "the primary key: " + indexes);
    }
  }
}
