package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import otterbot.api.OtterbotException;
import otterbot.api.skill.CatalogEntry;
import otterbot.api.skill.ScanFinding;
import otterbot.api.skill.Skill;
import otterbot.api.skill.SkillMeta;
import otterbot.api.skill.SkillParameter;
import otterbot.api.skill.SkillService;
import otterbot.rest.internal.OrchestrationResourcesTest.FakeAgents;

/**
 * The skill routes ({@code /api/agents/:id/skills}, {@code /api/skills}, {@code /api/skill-catalog}) through Jersey,
 * beside the agents resource as in the whiteboard's default application, with a fake skill service.
 */
class SkillResourcesTest {
  static final Instant T0 = Instant.parse("2025-03-01T12:34:56.789Z");
  static final Instant T1 = Instant.parse("2025-03-02T08:00:00Z");

  static SkillMeta upstreamDefaults(String name, String author, List<String> tags) {
    return new SkillMeta(name, "", "1.0.0", author, null, null, null, tags, null, null, null, null);
  }

  /**
   * Keeps skills in a list, in creation order, with the refusals a client can provoke: markdown containing
   * "bad yaml" is invalid YAML, markdown without a "---" block has no body. Catalog ids: {@code github-issues}
   * installs, {@code offline} cannot be fetched, {@code evil} is rejected by the scanner, anything else is unknown. An
   * import from a URL containing "fail" fails. Every call is recorded.
   */
  static final class FakeSkills implements SkillService {
    final List<Skill> skills = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    private int next = 1;

    Skill add(String agentId, SkillMeta meta, String body, String source) {
      var skill = new Skill("s" + next++, agentId, meta, body, source, "clean", List.of(), 0, T1, T1, null);
      skills.add(skill);
      return skill;
    }

    @Override
    public List<Skill> list(String agentId) {
      calls.add("list " + agentId);
      return skills.stream().filter(s -> agentId == null || s.agentId().equals(agentId)).toList();
    }

    @Override
    public Optional<Skill> get(String agentId, String skillId) {
      calls.add("get " + agentId + " " + skillId);
      return skills.stream().filter(s -> s.agentId().equals(agentId) && s.id().equals(skillId)).findFirst();
    }

    @Override
    public Skill createFromMarkdown(String agentId, String raw) {
      calls.add("createFromMarkdown " + agentId + " " + raw.length());
      if (raw.contains("bad yaml")) {
        throw OtterbotException.invalid("bad indentation of a mapping entry (2:7)");
      }
      if (!raw.startsWith("---\n")) {
        throw OtterbotException.invalid("skill markdown needs frontmatter `name` and a body");
      }
      return add(agentId, upstreamDefaults("From markdown", "", List.of()), raw.substring(raw.lastIndexOf("---\n") + 4),
          "imported");
    }

    @Override
    public Skill createAuthored(String agentId, String name, String description, String body, List<String> tags) {
      calls.add("createAuthored " + agentId + " " + name + "|" + description + "|" + body + "|" + tags);
      return add(agentId, new SkillMeta(name, description, "1.0.0", agentId, null, null, null, tags, null, null, null,
          null), body, "authored");
    }

    @Override
    public Optional<Skill> update(String agentId, String skillId, String body, String appendNote, String description) {
      calls.add("update " + agentId + " " + skillId + " " + body + " " + appendNote + " " + description);
      for (int i = 0; i < skills.size(); i++) {
        Skill s = skills.get(i);
        if (s.agentId().equals(agentId) && s.id().equals(skillId)) {
          String newBody = body != null ? body : appendNote != null ? s.body() + "\n\n" + appendNote : s.body();
          var changed = new Skill(s.id(), s.agentId(), s.meta(), newBody, s.source(), s.scanStatus(),
              s.scanFindings(), s.useCount(), s.createdAt(), T1, s.contributedBy());
          skills.set(i, changed);
          return Optional.of(changed);
        }
      }
      return Optional.empty();
    }

    @Override
    public boolean delete(String agentId, String skillId) {
      calls.add("delete " + agentId + " " + skillId);
      return skills.removeIf(s -> s.agentId().equals(agentId) && s.id().equals(skillId));
    }

    @Override
    public List<CatalogEntry> catalog() {
      calls.add("catalog");
      return List.of(
          new CatalogEntry("github-issues", "github", "Manage GitHub issues", "builtin", null, null, true, null),
          new CatalogEntry("imessage", "apple", "Send iMessages", "optional", "macos", "apple-stuff", false,
              "needs macOS"));
    }

    @Override
    public Skill install(String agentId, String catalogId) {
      calls.add("install " + agentId + " " + catalogId);
      return switch (catalogId) {
        case "github-issues" -> add(agentId, upstreamDefaults("github-issues", "nous", List.of("github")),
            "Use gh.", "builtin");
        case "offline" -> throw OtterbotException.unavailable("could not fetch skill from GitHub: 404 Not Found", null);
        case "evil" -> throw OtterbotException.invalid("skill rejected by security scanner: "
            + "Network request command/function reference detected (line 4)");
        default -> throw OtterbotException.invalid("unknown catalog skill");
      };
    }

    @Override
    public Skill importSkill(String agentId, String url, String raw) {
      calls.add("import " + agentId + " " + url + " " + (raw == null ? null : raw.length()));
      if (url != null && url.contains("fail")) {
        throw OtterbotException.invalid("Fetch failed: 500 Internal Server Error");
      }
      return add(agentId, upstreamDefaults("Imported", "", List.of()), "body", "imported");
    }

    @Override
    public Optional<String> export(String agentId, String skillId) {
      calls.add("export " + agentId + " " + skillId);
      return skills.stream().filter(s -> s.agentId().equals(agentId) && s.id().equals(skillId)).findFirst()
          .map(s -> "---\nname: " + s.meta().name() + "\n---\n" + s.body() + "\n");
    }

    @Override
    public void used(List<String> skillIds) {
      throw new UnsupportedOperationException("the REST layer does not count uses");
    }
  }

  private final FakeSkills skills = new FakeSkills();
  private final FakeAgents agents = new FakeAgents();
  private final AgentSkillsResource agentSkills = new AgentSkillsResource();
  private final SkillsResource allSkills = new SkillsResource();
  private final SkillCatalogResource catalog = new SkillCatalogResource();
  private final InProcessApi api = new InProcessApi(new AgentsResource(agents), agentSkills, allSkills, catalog);

  SkillResourcesTest() {
    agentSkills.setSkills(skills);
    agentSkills.setAgents(agents);
    allSkills.setSkills(skills);
    allSkills.setAgents(agents);
    catalog.setSkills(skills);
  }

  // ------------------------------------------------------------------------------------------------- the shape

  @Test
  void aSkillComesBackInUpstreamsShapeWithTheAgentskillsKeysOnlyWhenSet() {
    var meta = new SkillMeta("github-issues", "Triage issues", "1.2.0", "nous", List.of("web_fetch"), List.of(),
        Map.of("repo", new SkillParameter("string", "a/b", "the repo"), "limit", new SkillParameter("number", 20,
            null), "dry", new SkillParameter("boolean", false, null)), List.of("github"), "MIT", null,
        Map.of("source", "hermes", "a", "1"), List.of("Read"));
    skills.skills.add(new Skill("sk1", "ada", meta, "Use gh.", "builtin", "warnings", List.of(
        new ScanFinding("warning", "exfiltration", "URL found in skill content", 3, "https://x"),
        new ScanFinding("warning", "dangerous-tools", "Skill requests shell_exec access", null, null)), 2, T0, T1,
        null));
    skills.add("ada", upstreamDefaults("Untitled Skill", "", List.of()), "x", "imported");

    var answer = api.get("agents/ada/skills");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("application/json", answer.contentType());
    assertEquals("[{\"id\":\"sk1\",\"meta\":{\"name\":\"github-issues\",\"description\":\"Triage issues\","
        + "\"version\":\"1.2.0\",\"author\":\"nous\",\"tools\":[\"web_fetch\"],\"capabilities\":[],"
        + "\"parameters\":{\"dry\":{\"type\":\"boolean\",\"default\":false},\"limit\":{\"type\":\"number\","
        + "\"default\":20},\"repo\":{\"type\":\"string\",\"default\":\"a/b\",\"description\":\"the repo\"}},"
        + "\"tags\":[\"github\"],\"license\":\"MIT\",\"metadata\":{\"a\":\"1\",\"source\":\"hermes\"},"
        + "\"allowed-tools\":[\"Read\"]},\"body\":\"Use gh.\",\"source\":\"builtin\",\"scanStatus\":\"warnings\","
        + "\"scanFindings\":[{\"severity\":\"warning\",\"category\":\"exfiltration\","
        + "\"message\":\"URL found in skill content\",\"line\":3,\"snippet\":\"https://x\"},"
        + "{\"severity\":\"warning\",\"category\":\"dangerous-tools\","
        + "\"message\":\"Skill requests shell_exec access\"}],"
        + "\"useCount\":2,\"createdAt\":\"2025-03-01T12:34:56.789Z\",\"updatedAt\":\"2025-03-02T08:00:00Z\"},"
        + "{\"id\":\"s1\",\"meta\":{\"name\":\"Untitled Skill\",\"description\":\"\",\"version\":\"1.0.0\","
        + "\"author\":\"\",\"tools\":[],\"capabilities\":[],\"parameters\":{},\"tags\":[]},\"body\":\"x\","
        + "\"source\":\"imported\",\"scanStatus\":\"clean\",\"scanFindings\":[],\"useCount\":0,"
        + "\"createdAt\":\"2025-03-02T08:00:00Z\",\"updatedAt\":\"2025-03-02T08:00:00Z\"}]", answer.body());
    assertEquals("[]", api.get("agents/coo/skills").body(), "another agent's list does not show them");
  }

  // ----------------------------------------------------------------------------------------------- creating

  @Test
  void anAuthoredSkillTakesUpstreamsDefaults() {
    var answer = api.postJson("agents/ada/skills", "{\"name\":\" Weekly report \",\"body\":\"Write it on Fridays.\"}");
    var full = api.postJson("agents/ada/skills", "{\"name\":\"n\",\"body\":\"b\",\"description\":\"d\","
        + "\"tags\":[\"work\",\"weekly\"],\"somethingNew\":[1]}");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("Weekly report", answer.json().get("meta").get("name").asText());
    assertEquals("authored", answer.json().get("source").asText());
    assertEquals("ada", answer.json().get("meta").get("author").asText());
    assertFalse(answer.json().has("agentId"), "the agent is in the path");
    assertEquals(200, full.status(), full::toString);
    assertEquals(List.of("createAuthored ada Weekly report||Write it on Fridays.|[]",
        "createAuthored ada n|d|b|[work, weekly]"), skills.calls);
  }

  @Test
  void rawMarkdownIsParsedByTheServiceAndWinsOverNameAndBody() {
    var answer = api.postJson("agents/ada/skills", "{\"raw\":\"---\\nname: x\\n---\\nDo it.\",\"name\":\"n\","
        + "\"body\":\"b\"}");
    var emptyRaw = api.postJson("agents/ada/skills", "{\"raw\":\"\",\"name\":\"n\",\"body\":\"b\"}");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("imported", answer.json().get("source").asText());
    assertEquals("Do it.", answer.json().get("body").asText());
    assertEquals(200, emptyRaw.status(), "an empty raw is no raw, as upstream's truthiness test has it");
    assertEquals(List.of("createFromMarkdown ada 22", "createAuthored ada n||b|[]"), skills.calls);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"raw\":\"---\\nname: x\\nbad yaml\\n---\\nb\"}|bad indentation of a mapping entry (2:7)",
      "{\"raw\":\"no frontmatter\"}|skill markdown needs frontmatter `name` and a body"})
  void theServicesRefusalOfMarkdownIs400WithItsMessage(String body, String message) {
    var answer = api.postJson("agents/ada/skills", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"" + message + "\"}", answer.body());
  }

  /** Upstream answered a request without a body with a 500; here it is the 400 of a body that is neither form. */
  @ParameterizedTest
  @ValueSource(strings = {"", "null", "{}", "{\"name\":\"x\"}", "{\"body\":\"x\"}", "{\"raw\":\"\"}",
      "{\"raw\":null,\"name\":\"n\"}", "{\"name\":\" \",\"body\":\"b\"}", "{\"name\":\"n\",\"body\":\" \\n\"}",
      "{\"description\":\"d\",\"tags\":[]}"})
  void aBodyThatIsNeitherFormIs400InUpstreamsWords(String body) {
    var answer = api.postJson("agents/ada/skills", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"provide `raw` markdown, or `name` + `body`\"}", answer.body());
    assertEquals(List.of(), skills.calls);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"raw\":5}|field 'raw' has the wrong type (expected string)",
      "{\"name\":[\"n\"],\"body\":\"b\"}|field 'name' has the wrong type (expected string)",
      "{\"name\":\"n\",\"body\":{}}|field 'body' has the wrong type (expected string)",
      "{\"name\":\"n\",\"body\":\"b\",\"description\":true}|field 'description' has the wrong type (expected string)",
      "{\"name\":\"n\",\"body\":\"b\",\"tags\":\"x\"}|field 'tags' has the wrong type (expected array)",
      "{\"name\":\"n\",\"body\":\"b\",\"tags\":[1]}|field 'tags[0]' has the wrong type (expected string)",
      "{\"name\":\"n\",\"body\":\"b\",\"tags\":[null]}|tags must be an array of at most 20 non-empty strings of at most 64 characters",
      "{\"name\":\"n\",\"body\":\"b\",\"tags\":[\"\"]}|tags must be an array of at most 20 non-empty strings of at most 64 characters",
      "[\"x\"]|the request body must be a JSON object (expected object)",
      "{\"name\":\"n\"|malformed JSON at line 1, column 12"})
  void aBadFieldIs400NamingIt(String body, String message) {
    var answer = api.postJson("agents/ada/skills", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"" + message + "\"}", answer.body());
    assertEquals(List.of(), skills.calls);
  }

  @Test
  void whatAClientSendsIsBoundedAndTheBoundsAreSaid() {
    String name = "n".repeat(SkillJson.MAX_NAME_LENGTH);
    String description = "d".repeat(SkillJson.MAX_DESCRIPTION_LENGTH);
    String body = "b".repeat(SkillJson.MAX_BODY_LENGTH);
    String tags = "[" + String.join(",", Collections.nCopies(20, "\"" + "t".repeat(64) + "\"")) + "]";
    Map<String, String> tooMuch = Map.of(
        "{\"name\":\"" + name + "n\",\"body\":\"b\"}", "name must be at most 64 characters",
        "{\"name\":\"n\",\"body\":\"b\",\"description\":\"" + description + "d\"}",
        "description must be at most 1024 characters",
        "{\"name\":\"n\",\"body\":\"" + body + "b\"}", "body must be at most 262144 characters",
        "{\"name\":\"n\",\"body\":\"b\",\"tags\":[" + String.join(",", Collections.nCopies(21, "\"t\"")) + "]}",
        "tags must be an array of at most 20 non-empty strings of at most 64 characters",
        "{\"name\":\"n\",\"body\":\"b\",\"tags\":[\"" + "t".repeat(65) + "\"]}",
        "tags must be an array of at most 20 non-empty strings of at most 64 characters",
        "{\"raw\":\"" + "r".repeat(SkillJson.MAX_RAW_LENGTH + 1) + "\"}", "raw must be at most 327680 characters");
    tooMuch.forEach((request, message) -> {
      var answer = api.postJson("agents/ada/skills", request);
      assertEquals(400, answer.status(), message);
      assertEquals("{\"error\":\"" + message + "\"}", answer.body());
    });
    assertEquals(List.of(), skills.calls);

    var fits = api.postJson("agents/ada/skills", "{\"name\":\"  " + name + " \",\"body\":\"" + body
        + "\",\"description\":\"" + description + "\",\"tags\":" + tags + "}");
    assertEquals(200, fits.status(), "the limits themselves fit; the name's is on the stripped name");
  }

  @Test
  void aPostThatIsNotJsonIs415() {
    var answer = api.call("POST", "agents/ada/skills", "text/plain", "{\"name\":\"n\",\"body\":\"b\"}");

    assertEquals(415, answer.status(), answer::toString);
    assertEquals("{\"error\":\"unsupported media type: send application/json\"}", answer.body());
    assertEquals(415, api.call("POST", "skills/import", "text/markdown", "---\nname: x\n---\nb").status());
    assertEquals(415, api.call("POST", "agents/ada/skills/install", null, "{\"catalogId\":\"x\"}").status());
    assertEquals(List.of(), skills.calls);
  }

  // ----------------------------------------------------------------------------------------------- installing

  @Test
  void aCatalogSkillIsInstalledAsBuiltin() {
    var answer = api.postJson("agents/ada/skills/install", "{\"catalogId\":\"github-issues\"}");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("application/json", answer.contentType());
    assertEquals("builtin", answer.json().get("source").asText());
    assertEquals("github-issues", answer.json().get("meta").get("name").asText());
    assertEquals(List.of("install ada github-issues"), skills.calls);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"catalogId\":\"nope\"}|400|unknown catalog skill",
      "{\"catalogId\":\"evil\"}|400|skill rejected by security scanner: Network request command/function reference detected (line 4)",
      "{\"catalogId\":\"offline\"}|502|could not fetch skill from GitHub: 404 Not Found",
      "{}|400|catalogId is required",
      "{\"catalogId\":\" \"}|400|catalogId is required",
      "|400|catalogId is required",
      "{\"catalogId\":7}|400|field 'catalogId' has the wrong type (expected string)"})
  void installFailuresAreUpstreamsStatusesAndMessages(String body, int status, String message) {
    var answer = api.postJson("agents/ada/skills/install", body == null ? "" : body);

    assertEquals(status, answer.status(), answer::toString);
    assertEquals("application/json", answer.contentType());
    assertEquals("{\"error\":\"" + message + "\"}", answer.body());
  }

  @Test
  void aCatalogIdIsBounded() {
    var answer = api.postJson("agents/ada/skills/install", "{\"catalogId\":\"" + "c".repeat(201) + "\"}");

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"catalogId must be at most 200 characters\"}", answer.body());
    assertEquals(List.of(), skills.calls);
  }

  // ------------------------------------------------------------------------------------------------ deleting

  @Test
  void deletingSaysWhetherASkillWasDeleted() {
    var skill = skills.add("ada", upstreamDefaults("x", "", List.of()), "b", "authored");

    var deleted = api.call("DELETE", "agents/ada/skills/" + skill.id(), null, null);
    var again = api.call("DELETE", "agents/ada/skills/" + skill.id(), null, null);

    assertEquals(200, deleted.status(), deleted::toString);
    assertEquals("{\"ok\":true}", deleted.body());
    assertEquals(200, again.status(), again::toString);
    assertEquals("{\"ok\":false}", again.body());
    assertEquals("[]", api.get("agents/ada/skills").body());
  }

  @Test
  void anUnknownAgentIs404OnEveryPerAgentRouteAndTheServiceIsNotAsked() {
    for (var answer : List.of(api.get("agents/nobody/skills"),
        api.postJson("agents/nobody/skills", "{\"name\":\"n\",\"body\":\"b\"}"),
        api.postJson("agents/nobody/skills/install", "{\"catalogId\":\"github-issues\"}"),
        api.call("DELETE", "agents/nobody/skills/s1", null, null),
        api.get("skills?agentId=nobody"),
        api.postJson("skills/import", "{\"raw\":\"---\\nname: x\\n---\\nb\",\"agentId\":\"nobody\"}"),
        api.get("skills/s1/export?agentId=nobody"),
        api.get("skills/export-all?agentId=nobody"))) {
      assertEquals(404, answer.status(), answer::toString);
      assertEquals("{\"error\":\"not found\"}", answer.body());
    }
    for (var answer : List.of(api.get("skills?agentId="), api.get("skills/s1/export?agentId="),
        api.get("skills/export-all?agentId="), api.postJson("skills/import", "{\"raw\":\"x\",\"agentId\":\"\"}"))) {
      assertEquals(400, answer.status(), answer::toString);
      assertEquals("{\"error\":\"agentId must not be empty\"}", answer.body());
    }
    assertEquals(List.of(), skills.calls);
  }

  // ----------------------------------------------------------------------------------------- every agent's list

  @Test
  void theCrossAgentListNamesEachSkillsAgentAndABundlesSkillItsBundle() {
    skills.add("ada", upstreamDefaults("a", "", List.of()), "b", "authored");
    skills.skills.add(new Skill("bundle:weather", "coo", upstreamDefaults("weather", "", List.of()), "b", "builtin",
        "clean", List.of(), 0, T0, T0, "otterbot.skill.weather"));

    var all = api.get("skills");

    assertEquals(200, all.status(), all::toString);
    assertEquals("ada", all.json().get(0).get("agentId").asText());
    assertFalse(all.json().get(0).has("contributedBy"), "a stored skill has no bundle");
    assertEquals("coo", all.json().get(1).get("agentId").asText());
    assertEquals("otterbot.skill.weather", all.json().get(1).get("contributedBy").asText());
    var names = new ArrayList<String>();
    all.json().get(1).fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("id", "meta", "body", "source", "scanStatus", "scanFindings", "useCount", "createdAt",
        "updatedAt", "agentId", "contributedBy"), names);

    var coo = api.get("skills?agentId=coo");
    assertEquals(1, coo.json().size());
    assertEquals("bundle:weather", coo.json().get(0).get("id").asText());
    assertEquals(List.of("list null", "list coo"), skills.calls);
  }

  // ------------------------------------------------------------------------------------------------- catalog

  @Test
  void theCatalogSaysWhatCanBeInstalledHereAndWhyNot() {
    var answer = api.get("skill-catalog");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("[{\"id\":\"github-issues\",\"category\":\"github\",\"description\":\"Manage GitHub issues\","
        + "\"pack\":\"builtin\",\"available\":true},"
        + "{\"id\":\"imessage\",\"category\":\"apple\",\"description\":\"Send iMessages\",\"pack\":\"optional\","
        + "\"requires\":\"macos\",\"subdir\":\"apple-stuff\",\"available\":false,"
        + "\"unavailableReason\":\"needs macOS\"}]", answer.body());
  }

  // -------------------------------------------------------------------------------------------------- import

  @Test
  void anImportGoesToTheCooUnlessAnAgentIsNamedAndAUrlIsTriedFirst() {
    var raw = api.postJson("skills/import", "{\"raw\":\"---\\nname: x\\n---\\nb\"}");
    var url = api.postJson("skills/import", "{\"url\":\"https://example.org/SKILL.md\",\"raw\":\"ignored\","
        + "\"agentId\":\"ada\"}");
    var emptyUrl = api.postJson("skills/import", "{\"url\":\"\",\"raw\":\"text\"}");

    for (var answer : List.of(raw, url, emptyUrl)) {
      assertEquals(200, answer.status(), answer::toString);
      assertEquals("imported", answer.json().get("source").asText());
    }
    assertEquals(List.of("import coo null 17", "import ada https://example.org/SKILL.md null", "import coo null 4"),
        skills.calls);
    assertEquals(2, api.get("skills?agentId=coo").json().size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "null", "{}", "{\"url\":\"\",\"raw\":\"\"}", "{\"agentId\":\"ada\"}",
      "{\"url\":null,\"raw\":null}"})
  void anImportWithoutASourceIs400InUpstreamsWords(String body) {
    var answer = api.postJson("skills/import", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"Provide `url` or `raw`\"}", answer.body());
    assertEquals(List.of(), skills.calls);
  }

  @Test
  void everyImportFailureIs400WithItsMessage() {
    var failed = api.postJson("skills/import", "{\"url\":\"https://example.org/fail\"}");
    var tooLong = api.postJson("skills/import", "{\"url\":\"https://example.org/" + "u".repeat(2048) + "\"}");
    var tooMuch = api.postJson("skills/import", "{\"raw\":\"" + "r".repeat(SkillJson.MAX_RAW_LENGTH + 1) + "\"}");
    var wrongType = api.postJson("skills/import", "{\"url\":[\"https://example.org\"]}");

    assertEquals(400, failed.status(), failed::toString);
    assertEquals("{\"error\":\"Fetch failed: 500 Internal Server Error\"}", failed.body());
    assertEquals("{\"error\":\"url must be at most 2048 characters\"}", tooLong.body());
    assertEquals("{\"error\":\"raw must be at most 327680 characters\"}", tooMuch.body());
    assertEquals("{\"error\":\"field 'url' has the wrong type (expected string)\"}", wrongType.body());
    assertEquals(List.of("import coo https://example.org/fail null"), skills.calls);
  }

  // -------------------------------------------------------------------------------------------------- export

  @Test
  void anExportIsTheMarkdownTextWhateverTheClientAccepts() {
    var skill = skills.add("coo", upstreamDefaults("Weekly report", "", List.of()), "Write it. 🦦", "authored");
    var ada = skills.add("ada", upstreamDefaults("Ada's", "", List.of()), "Hers.", "authored");

    var answer = api.get("skills/" + skill.id() + "/export");
    var markdownOnly = api.call("GET", "skills/" + skill.id() + "/export", null, null,
        Map.of("Accept", "text/markdown"));
    var anything = api.call("GET", "skills/" + ada.id() + "/export?agentId=ada", null, null, Map.of("Accept", "*/*"));

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("text/markdown;charset=utf-8", answer.contentType().replace(" ", ""));
    assertEquals("---\nname: Weekly report\n---\nWrite it. 🦦\n", answer.body());
    assertEquals(answer.body(), markdownOnly.body());
    assertTrue(markdownOnly.contentType().startsWith("text/markdown"), markdownOnly::toString);
    assertEquals("---\nname: Ada's\n---\nHers.\n", anything.body());
  }

  @Test
  void anUnknownSkillOrOneOfAnotherAgentIs404AsJson() {
    var ada = skills.add("ada", upstreamDefaults("Ada's", "", List.of()), "Hers.", "authored");

    for (var answer : List.of(api.get("skills/nope/export"), api.get("skills/" + ada.id() + "/export"),
        api.call("GET", "skills/nope/export", null, null, Map.of("Accept", "text/markdown")))) {
      assertEquals(404, answer.status(), answer::toString);
      assertEquals("application/json", answer.contentType());
      assertEquals("{\"error\":\"not found\"}", answer.body());
    }
  }

  @Test
  void exportAllNamesEachFileBySlugAndKeepsEveryOne() {
    skills.add("coo", upstreamDefaults("Weekly Report!", "", List.of()), "one", "authored");
    skills.add("coo", upstreamDefaults("weekly report", "", List.of()), "two", "authored");
    skills.add("coo", upstreamDefaults("Weekly-Report-2", "", List.of()), "three", "authored");
    skills.add("coo", upstreamDefaults("🦦", "", List.of()), "four", "authored");
    skills.add("ada", upstreamDefaults("Ada's", "", List.of()), "hers", "authored");

    var answer = api.get("skills/export-all");

    assertEquals(200, answer.status(), answer::toString);
    var names = new ArrayList<String>();
    answer.json().forEach(item -> names.add(item.get("filename").asText()));
    assertEquals(List.of("weekly-report.md", "weekly-report-2.md", "weekly-report-2-2.md", "skill.md"), names);
    assertEquals("---\nname: Weekly Report!\n---\none\n", answer.json().get(0).get("content").asText());
    var fields = new ArrayList<String>();
    answer.json().get(0).fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("filename", "content"), fields);

    var ada = api.get("skills/export-all?agentId=ada");
    assertEquals("ada-s.md", ada.json().get(0).get("filename").asText());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"GitHub Issues|github-issues", "--x--|x", "!!!|skill", "|skill",
      "a  b__c|a-b-c", "Ünïcode skill|n-code-skill", "already-a-slug|already-a-slug", "-lead|lead"})
  void slugsAreUpstreams(String name, String slug) {
    assertEquals(slug, SkillJson.slug(name));
  }

  // -------------------------------------------------------------------------------------- missing services

  @Test
  void withoutTheSkillServiceEveryRouteIs503() {
    agentSkills.unsetSkills(new FakeSkills());
    assertEquals(200, api.get("agents/ada/skills").status(), "another instance went, not ours");

    agentSkills.unsetSkills(skills);
    allSkills.unsetSkills(skills);
    catalog.unsetSkills(skills);
    for (var answer : List.of(api.get("agents/ada/skills"),
        api.postJson("agents/ada/skills", "{\"name\":\"n\",\"body\":\"b\"}"),
        api.postJson("agents/ada/skills/install", "{\"catalogId\":\"github-issues\"}"),
        api.call("DELETE", "agents/ada/skills/s1", null, null), api.get("skills"), api.get("skill-catalog"),
        api.postJson("skills/import", "{\"raw\":\"x\"}"), api.get("skills/s1/export"), api.get("skills/export-all"))) {
      assertEquals(503, answer.status(), answer::toString);
      assertEquals("{\"error\":\"the skill service is not available yet\"}", answer.body());
    }
  }

  @Test
  void withoutTheAgentRegistryEveryRouteButTheCatalogIs503() {
    agentSkills.unsetAgents(agents);
    allSkills.unsetAgents(agents);
    for (var answer : List.of(api.get("agents/ada/skills"),
        api.postJson("agents/ada/skills", "{\"name\":\"n\",\"body\":\"b\"}"),
        api.postJson("agents/ada/skills/install", "{\"catalogId\":\"github-issues\"}"),
        api.call("DELETE", "agents/ada/skills/s1", null, null), api.get("skills"),
        api.postJson("skills/import", "{\"raw\":\"x\"}"), api.get("skills/s1/export"), api.get("skills/export-all"))) {
      assertEquals(503, answer.status(), answer::toString);
    }
    assertEquals(List.of(), skills.calls);
    assertEquals(200, api.get("skill-catalog").status(), "the catalog needs no agent");
  }

  @Test
  void oneSkillIsReadAndChangedOnItsRouteWithBadInputAs400() {
    var created = api.postJson("agents/ada/skills", "{\"name\":\"Tidy\",\"body\":\"Clear the desk.\"}");
    assertEquals(200, created.status(), created::toString);
    String id = created.json().get("id").asText();
    assertEquals(200, api.get("agents/ada/skills/" + id).status());
    assertEquals(404, api.get("agents/ada/skills/s99").status());
    var changed = api.call("PATCH", "agents/ada/skills/" + id, "application/json",
        "{\"appendNote\":\"Dust the lamp.\",\"x\":1}");
    assertEquals(200, changed.status(), changed::toString);
    assertTrue(changed.body().contains("Dust the lamp."), changed.body());
    assertTrue(skills.calls.contains("update ada " + id + " null Dust the lamp. null"), skills.calls.toString());
    for (String bad : List.of("{}", "{\"body\":\"  \"}", "{\"body\":7}", "{\"description\":[\"x\"]}",
        "{\"description\":\"" + "d".repeat(1025) + "\"}")) {
      var answer = api.call("PATCH", "agents/ada/skills/" + id, "application/json", bad);
      assertEquals(400, answer.status(), bad + ": " + answer);
    }
    assertEquals(404, api.call("PATCH", "agents/ada/skills/s99", "application/json", "{\"body\":\"x\"}").status());
    assertEquals(404, api.call("PATCH", "agents/nobody/skills/" + id, "application/json", "{\"body\":\"x\"}").status());
  }

  @Test
  void theAgentsResourceStillAnswersItsOwnRoutesAndUnknownOnesAre404() {
    assertEquals(200, api.get("agents/ada").status());
    assertEquals(404, api.get("agents/ada/skills/install").status(), "no skill is called install");
    assertEquals(405, api.postJson("skill-catalog", "{}").status());
    assertEquals(405, api.get("skills/import").status());
    for (String path : List.of("agents/ada/skills/s1/extra", "skills/s1", "skill-catalog/x")) {
      var answer = api.get(path);
      assertEquals(404, answer.status(), path + ": " + answer);
      assertEquals("{\"error\":\"not found\"}", answer.body());
    }
    assertEquals(List.of("get ada install"), skills.calls, "only the GET of a skill called install asked the service");
  }
}
