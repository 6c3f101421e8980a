package otterbot.skills.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.skill.SkillMeta;
import otterbot.api.skill.SkillParameter;

class SkillMarkdownTest {
  static SkillMeta meta(String name, String description) {
    return new SkillMeta(name, description, "1.0.0", "", List.of(), List.of(), Map.of(), List.of(), null, null,
        Map.of(), List.of());
  }

  static OtterbotException invalid(String text) {
    OtterbotException e = assertThrows(OtterbotException.class, () -> SkillMarkdown.parse(text));
    assertEquals(OtterbotException.Kind.INVALID, e.kind());
    return e;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Parsing

  @Test
  void readsEveryUpstreamAndAgentSkillsKey() {
    SkillMarkdown.Document doc = SkillMarkdown.parse("""
        ---
        name: Weather Report
        description: Looks up the weather
        version: 2.1.0
        author: otter
        tools:
          - web_search
          - file_read
        capabilities:
          - forecasting
        parameters:
          city:
            type: string
            default: Berlin
            description: Where to look
          days:
            type: number
            default: 3
          metric:
            type: boolean
            default: true
        tags:
          - weather
          - daily
        license: Apache-2.0
        compatibility: Needs network access
        metadata:
          owner: team-weather
          reviewed: "2026-11-30"
        allowed-tools: web_search file_read
        dependencies: [ignored]
        ---

        # Weather

        Say what the weather will be.
        """);

    SkillMeta m = doc.meta();
    assertEquals("Weather Report", m.name());
    assertEquals("Looks up the weather", m.description());
    assertEquals("2.1.0", m.version());
    assertEquals("otter", m.author());
    assertEquals(List.of("web_search", "file_read"), m.tools());
    assertEquals(List.of("forecasting"), m.capabilities());
    assertEquals(new SkillParameter("string", "Berlin", "Where to look"), m.parameters().get("city"));
    assertEquals(new SkillParameter("number", 3L, null), m.parameters().get("days"));
    assertEquals(new SkillParameter("boolean", true, null), m.parameters().get("metric"));
    assertEquals(List.of("weather", "daily"), m.tags());
    assertEquals("Apache-2.0", m.license());
    assertEquals("Needs network access", m.compatibility());
    assertEquals(Map.of("owner", "team-weather", "reviewed", "2026-11-30"), m.metadata());
    assertEquals(List.of("web_search", "file_read"), m.allowedTools());
    assertEquals("# Weather\n\nSay what the weather will be.", doc.body());
  }

  @Test
  void absentKeysTakeUpstreamDefaults() {
    SkillMarkdown.Document doc = SkillMarkdown.parse("---\ndescription: only this\n---\nBody");
    SkillMeta m = doc.meta();
    assertEquals("Untitled Skill", m.name());
    assertEquals("only this", m.description());
    assertEquals("1.0.0", m.version());
    assertEquals("", m.author());
    assertEquals(List.of(), m.tools());
    assertEquals(List.of(), m.capabilities());
    assertEquals(Map.of(), m.parameters());
    assertEquals(List.of(), m.tags());
    assertNull(m.license());
    assertNull(m.compatibility());
    assertEquals(Map.of(), m.metadata());
    assertEquals(List.of(), m.allowedTools());
    assertEquals("Body", doc.body());
  }

  @Test
  void nullValuesTakeTheDefaultButAnEmptyNameStaysEmpty() {
    // upstream: data.name ?? "Untitled Skill", so null defaults and "" does not
    assertEquals("Untitled Skill", SkillMarkdown.parse("---\nname:\nversion: ~\n---\nx").meta().name());
    assertEquals("1.0.0", SkillMarkdown.parse("---\nname:\nversion: ~\n---\nx").meta().version());
    assertEquals("", SkillMarkdown.parse("---\nname: \"\"\n---\nx").meta().name());
  }

  @Test
  void textWithoutFrontmatterIsAllBodyWithDefaults() {
    SkillMarkdown.Document doc = SkillMarkdown.parse("\n  # Just markdown\n\nname: not frontmatter\n  ");
    assertEquals(meta("Untitled Skill", ""), doc.meta());
    assertEquals("# Just markdown\n\nname: not frontmatter", doc.body());
    assertEquals("", SkillMarkdown.parse("").body());
  }

  @Test
  void theBodyIsTrimmedTheJavaScriptWay() {
    assertEquals("body", SkillMarkdown.parse("---\nname: a\n---\n\n\u00A0 body \t\n\n").body());
  }

  @Test
  void emptyFrontmatterGivesDefaults() {
    assertEquals(meta("Untitled Skill", ""), SkillMarkdown.parse("---\n---\nbody").meta());
    assertEquals(meta("Untitled Skill", ""), SkillMarkdown.parse("---\n# a comment only\n---\nbody").meta());
  }

  @Test
  void scalarsKeepTheTextTheyWereWrittenAs() {
    SkillMeta m = SkillMarkdown.parse("---\nname: 42\nversion: 1.10\nauthor: true\ndescription: 2026-01-02\n---\nx")
        .meta();
    assertEquals("42", m.name());
    assertEquals("1.10", m.version()); // a number parse would say 1.1
    assertEquals("true", m.author());
    assertEquals("2026-01-02", m.description());
  }

  @Test
  void keysOfTheWrongShapeCountAsAbsent() {
    SkillMeta m = SkillMarkdown.parse("""
        ---
        name: [a, b]
        description: {x: 1}
        tools: shell_exec
        capabilities: {a: b}
        tags: 7
        parameters: [one, two]
        metadata: just text
        license: [MIT]
        ---
        body
        """).meta();
    assertEquals(meta("Untitled Skill", ""), m);
  }

  @Test
  void listEntriesAndParametersOfTheWrongShapeAreLeftOut() {
    SkillMeta m = SkillMarkdown.parse("""
        ---
        tools: [file_read, 3, true, null, [x], {y: z}]
        parameters:
          ok: {type: string}
          plain: string
          listy: [1]
          odd: {type: [x], default: {a: 1}, description: 5}
        metadata: {a: 1, b: [2], c: null, d: x}
        ---
        body
        """).meta();
    assertEquals(List.of("file_read", "3", "true"), m.tools());
    assertEquals(Map.of("ok", new SkillParameter("string", null, null), "odd", new SkillParameter(null, null, "5")),
        m.parameters());
    assertEquals(Map.of("a", "1", "d", "x"), m.metadata());
  }

  @Test
  void parameterDefaultsAreStringsNumbersOrBooleans() {
    Map<String, SkillParameter> p = SkillMarkdown.parse("""
        ---
        parameters:
          a: {type: number, default: 5}
          b: {type: number, default: -2.5}
          c: {type: string, default: "5"}
          d: {type: boolean, default: false}
          e: {type: string, default: 0x1F}
          f: {type: number, default: .inf}
          g: {type: number, default: 123456789012345678901234567890}
          h: {type: string, default: yes}
        ---
        body
        """).meta().parameters();
    assertEquals(5L, p.get("a").defaultValue());
    assertEquals(-2.5, p.get("b").defaultValue());
    assertEquals("5", p.get("c").defaultValue());
    assertEquals(false, p.get("d").defaultValue());
    assertEquals("0x1F", p.get("e").defaultValue());
    assertEquals(".inf", p.get("f").defaultValue());
    assertEquals(new BigInteger("123456789012345678901234567890"), p.get("g").defaultValue());
    assertEquals("yes", p.get("h").defaultValue());
  }

  @Test
  void allowedToolsIsASpaceSeparatedStringOrAList() {
    assertEquals(List.of("Bash(git:*)", "Read", "Write"),
        SkillMarkdown.parse("---\nallowed-tools: \"  Bash(git:*)  Read\\tWrite \"\n---\nx").meta().allowedTools());
    assertEquals(List.of("Read", "Write"),
        SkillMarkdown.parse("---\nallowed-tools:\n  - Read\n  - Write\n---\nx").meta().allowedTools());
    assertEquals(List.of(), SkillMarkdown.parse("---\nallowed-tools: \"\"\n---\nx").meta().allowedTools());
  }

  @Test
  void fencesMayCarryTrailingSpacesAndCarriageReturns() {
    SkillMarkdown.Document doc = SkillMarkdown.parse("---  \r\nname: Windows\r\ntags:\r\n  - crlf\r\n---\r\nBody\r\n");
    assertEquals("Windows", doc.meta().name());
    assertEquals(List.of("crlf"), doc.meta().tags());
    assertEquals("Body", doc.body());
  }

  @Test
  void aByteOrderMarkBeforeTheFrontmatterIsIgnored() {
    assertEquals("Bom", SkillMarkdown.parse("\uFEFF---\nname: Bom\n---\nbody").meta().name());
  }

  @Test
  void aFourDashLineIsNoFence() {
    SkillMarkdown.Document doc = SkillMarkdown.parse("----\nname: x\n----\nbody");
    assertEquals("Untitled Skill", doc.meta().name());
    assertEquals("----\nname: x\n----\nbody", doc.body());
  }

  @Test
  void theFirstClosingFenceEndsTheFrontmatter() {
    SkillMarkdown.Document doc = SkillMarkdown.parse("---\nname: x\n---\nabove\n---\nbelow");
    assertEquals("x", doc.meta().name());
    assertEquals("above\n---\nbelow", doc.body());
  }

  @Test
  void invalidYamlIsRefusedWithTheParsersMessageOnOneLine() {
    OtterbotException e = invalid("---\nname: Broken\ndescription: one: two\n---\nbody");
    assertEquals("invalid YAML in the SKILL.md frontmatter: mapping values are not allowed here (line 3, column 17)",
        e.getMessage());

    e = invalid("---\nname: x\ntags: [a, b\n---\nbody");
    assertTrue(e.getMessage().startsWith("invalid YAML in the SKILL.md frontmatter: "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertFalse(e.getMessage().contains("reader"), e.getMessage());
    assertFalse(e.getMessage().toLowerCase().contains("jackson"), e.getMessage());
    assertFalse(e.getMessage().toLowerCase().contains("snakeyaml"), e.getMessage());
    assertFalse(e.getMessage().contains("Source:"), e.getMessage());

    e = invalid("---\nname: x\n  bad: indent\n---\nbody");
    assertTrue(e.getMessage().contains("(line 3"), e.getMessage());
  }

  @Test
  void aDuplicatedKeyIsInvalidAsInJsYaml() {
    assertEquals("invalid YAML in the SKILL.md frontmatter: duplicated mapping key 'name' (line 3)",
        invalid("---\nname: a\nname: b\n---\nbody").getMessage());
  }

  @Test
  void controlCharactersInTheYamlAreInvalid() {
    OtterbotException e = invalid("---\nname: a\u0007b\n---\nbody");
    assertTrue(e.getMessage().startsWith("invalid YAML in the SKILL.md frontmatter: "), e.getMessage());
    assertFalse(e.getMessage().contains("\u0007"));
  }

  @Test
  void frontmatterThatIsNoMappingIsInvalid() {
    assertEquals("SKILL.md frontmatter must be a YAML mapping of keys to values",
        invalid("---\n- a\n- b\n---\nbody").getMessage());
    assertEquals("SKILL.md frontmatter must be a YAML mapping of keys to values",
        invalid("---\njust a sentence\n---\nbody").getMessage());
  }

  @Test
  void anUnclosedFrontmatterIsInvalid() {
    assertEquals("SKILL.md frontmatter has no closing --- line", invalid("---\nname: x\n\nbody").getMessage());
    assertEquals("SKILL.md frontmatter has no closing --- line", invalid("---").getMessage());
  }

  @Test
  void deepNestingIsInvalid() {
    String deep = "[".repeat(40) + "]".repeat(40);
    OtterbotException e = invalid("---\nmetadata: " + deep + "\n---\nbody");
    assertTrue(e.getMessage().startsWith("invalid YAML in the SKILL.md frontmatter") || e.getMessage().contains(
        "nests deeper"), e.getMessage());
  }

  @Test
  void anchorsAndAliasesDoNotExpand() {
    // Jackson reports an alias as its name; nothing is copied, so no "billion laughs"
    SkillMeta m = SkillMarkdown.parse("---\ntags: &t [a, b]\ncapabilities: *t\n---\nbody").meta();
    assertEquals(List.of("a", "b"), m.tags());
    assertEquals(List.of(), m.capabilities());
  }

  @Test
  void textOver256KiBIsRefused() {
    String atLimit = "x".repeat(SkillMarkdown.MAX_BYTES);
    assertEquals(atLimit, SkillMarkdown.parse(atLimit).body());
    assertEquals("SKILL.md is larger than 256 KiB", invalid(atLimit + "y").getMessage());
    // counted in UTF-8 bytes: 100k three-byte characters are 300 KB
    assertEquals("SKILL.md is larger than 256 KiB", invalid("\u20AC".repeat(100_000)).getMessage());
    assertEquals("SKILL.md text is missing", invalid(null).getMessage());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Serialisation

  @Test
  void serialisesLikeGrayMatterWithBlockStyleLists() {
    SkillMeta m = new SkillMeta("Code Review", "Reviews code for bugs", "1.0.0", "otter",
        List.of("file_read", "web_search"), List.of(), Map.of(), List.of("review"), null, null, Map.of(), List.of());
    assertEquals("""
        ---
        name: Code Review
        description: Reviews code for bugs
        version: 1.0.0
        author: otter
        tools:
          - file_read
          - web_search
        tags:
          - review
        ---
        Read the diff.
        """, SkillMarkdown.serialise(m, "Read the diff."));
  }

  @Test
  void serialisesEveryKeyInUpstreamOrderThenTheAgentSkillsKeys() {
    Map<String, SkillParameter> parameters = new LinkedHashMap<>();
    parameters.put("days", new SkillParameter("number", 3L, "How many days"));
    parameters.put("city", new SkillParameter("string", "Berlin", null));
    SkillMeta m = new SkillMeta("weather", "", "1.0", "", List.of("web_search"), List.of("forecasting"), parameters,
        List.of("daily"), "MIT", "Needs network", Map.of("owner", "team", "a", "b"), List.of("Read", "Bash(git:*)"));
    assertEquals("""
        ---
        name: weather
        description: ""
        version: "1.0"
        author: ""
        tools:
          - web_search
        capabilities:
          - forecasting
        parameters:
          city:
            type: string
            default: Berlin
          days:
            type: number
            default: 3
            description: How many days
        tags:
          - daily
        license: MIT
        compatibility: Needs network
        metadata:
          a: b
          owner: team
        allowed-tools: Read Bash(git:*)
        ---
        body
        """, SkillMarkdown.serialise(m, "body"));
  }

  @Test
  void emptyListsAndAbsentAgentSkillsKeysAreLeftOut() {
    assertEquals("---\nname: a\ndescription: b\nversion: 1.0.0\nauthor: c\n---\nbody\n",
        SkillMarkdown.serialise(new SkillMeta("a", "b", "1.0.0", "c", null, null, null, null, null, null, null, null),
            "body"));
  }

  @Test
  void multiLineStringsAreLiteralBlocks() {
    String text = SkillMarkdown.serialise(meta("multi", "First line.\nSecond line: with a colon."), "x");
    assertTrue(text.contains("description: |-\n  First line.\n  Second line: with a colon.\n"), text);
  }

  @Test
  void stringsAreQuotedOnlyWhenYamlNeedsIt() {
    String text = SkillMarkdown.serialise(new SkillMeta("Plain words here", "a: b", "true", "#hash", List.of("null",
        "12", "ok"), List.of(), Map.of(), List.of(), null, null, Map.of(), List.of()), "x");
    assertTrue(text.contains("\nname: Plain words here\n"), text);
    assertTrue(text.contains("\ndescription: \"a: b\"\n") || text.contains("\ndescription: 'a: b'\n"), text);
    assertTrue(text.contains("\nversion: \"true\"\n"), text);
    assertTrue(text.contains("\n  - ok\n"), text);
    assertFalse(text.contains("\n  - null\n"), text);
    assertFalse(text.contains("\n  - 12\n"), text);
  }

  @Test
  void nullHeaderFieldsAreWrittenAsTheirDefaults() {
    String text = SkillMarkdown.serialise(new SkillMeta(null, null, null, null, null, null, null, null, null, null,
        null, null), null);
    assertEquals(new SkillMarkdown.Document(meta("Untitled Skill", ""), ""), SkillMarkdown.parse(text));
    assertTrue(text.endsWith("---\n\n"), text);
  }

  @Test
  void allowedToolsWithSpacesAreWrittenAsAList() {
    SkillMeta m = new SkillMeta("a", "", "1.0.0", "", null, null, null, null, null, null, null,
        List.of("Read", "My Tool"));
    String text = SkillMarkdown.serialise(m, "x");
    assertTrue(text.contains("allowed-tools:\n  - Read\n  - My Tool\n"), text);
    assertEquals(m, SkillMarkdown.parse(text).meta());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Round trip: export then import gives the same skill back

  static final List<String> TRICKY = List.of(
      "", " ", "plain", "with: colon", "colon at end:", "key: value: more", "# not a comment", "a # b", "#",
      "- looks like a list", "-", "? question", "[brackets]", "{braces}", "&anchor", "*alias", "!tag", "|", ">",
      "%percent", "@at", "`backtick`", "'single'", "\"double\"", "it's", "say \"hi\"", "back\\slash", "tab\there",
      "true", "false", "True", "yes", "no", "on", "off", "y", "n", "null", "Null", "~", "1", "1.0", "1.10", "-1",
      "0x1F", "0o17", "1e5", "1_000", ".inf", "-.inf", ".nan", "2026-12-06", "12:30:00", "  leading spaces",
      "trailing spaces  ", "---", "...", "--- inline", "line one\nline two", "line\n---\nfence inside",
      "ends with newline\n", "two trailing newlines\n\n", "\nstarts with newline", "  indented\nsecond",
      "trailing space \nnext", "Grüße, naïve café", "日本語のスキル", "emoji 🦦 otter", "Ελληνικά", "русский",
      "zero\u200Bwidth", "rtl \u202E override", "nbsp\u00A0here", "x".repeat(500),
      "a very long description that goes on and on without any line breaks so that a YAML emitter might want to "
          + "fold it across several lines, which must not change its value when it is read back again: true");

  @Test
  void everyTrickyStringSurvivesEveryField() {
    for (String s : TRICKY) {
      SkillMeta m = new SkillMeta(s, s, s, s, List.of(s, "x"), List.of(s), Map.of("p", new SkillParameter(s, s, s)),
          List.of(s), s, s, Map.of("k", s, s.isEmpty() ? "empty" : s, "v"), List.of());
      String text = SkillMarkdown.serialise(m, "body");
      SkillMarkdown.Document back;
      try {
        back = SkillMarkdown.parse(text);
      } catch (OtterbotException e) {
        throw new AssertionError("could not read back " + quote(s) + ":\n" + text, e);
      }
      assertEquals(m, back.meta(), () -> "for " + quote(s) + ":\n" + text);
      assertEquals("body", back.body(), () -> "for " + quote(s) + ":\n" + text);
    }
  }

  @Test
  void everyTrickyStringSurvivesAsAParameterNameAndMetadataKey() {
    for (String s : TRICKY) {
      SkillMeta m = new SkillMeta("n", "", "1.0.0", "", null, null, Map.of(s, new SkillParameter("string", null,
          null)), null, null, null, Map.of(s, s), null);
      String text = SkillMarkdown.serialise(m, "body");
      assertEquals(m, SkillMarkdown.parse(text).meta(), () -> "for " + quote(s) + ":\n" + text);
    }
  }

  @Test
  void parameterDefaultsKeepTheirType() {
    Map<String, SkillParameter> p = new LinkedHashMap<>();
    List<Object> defaults = new ArrayList<>(List.of(0L, 5L, -7L, Long.MAX_VALUE, 1.5, -0.25, 1e20, true, false,
        new BigInteger("123456789012345678901234567890")));
    defaults.addAll(TRICKY);
    for (int i = 0; i < defaults.size(); i++) {
      p.put("p" + i, new SkillParameter("any", defaults.get(i), null));
    }
    SkillMeta m = new SkillMeta("n", "", "1.0.0", "", null, null, p, null, null, null, null, null);
    String text = SkillMarkdown.serialise(m, "body");
    SkillMeta back = SkillMarkdown.parse(text).meta();
    for (int i = 0; i < defaults.size(); i++) {
      Object expected = defaults.get(i);
      assertEquals(expected, back.parameters().get("p" + i).defaultValue(), () -> "for " + expected + ":\n" + text);
    }
  }

  /** Characters that mean something to YAML or to a reader, mixed with ordinary ones. */
  static final String ALPHABET = "abcXYZ019 .,:;#-?!&*|>'\"%@`{}[]\\/~=+_\t\n\r\u00A0\u0085\u2028\u2029\u200B"
      + "\u202E\uFEFFäßé日本\u0430\u03B1\u0007\u001B";

  static String random(java.util.Random random) {
    StringBuilder s = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      if (random.nextInt(20) == 0) {
        s.append("\uD83E\uDDA6"); // 🦦, outside the BMP
      } else if (random.nextInt(25) == 0) {
        s.append(List.of("true", "null", "1.5", "0x1F", "---", "...", "- ", ": ", " #", "yes", "~").get(
            random.nextInt(11)));
      } else {
        s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
    }
    return s.toString();
  }

  @Test
  void randomStringsSurviveTheRoundTrip() {
    java.util.Random random = new java.util.Random(20261206);
    for (int i = 0; i < 5_000; i++) {
      String s = random(random);
      String t = random(random);
      SkillMeta m = new SkillMeta(s, t, random(random), random(random), List.of(s, t), List.of(t),
          Map.of(s, new SkillParameter(t, random.nextBoolean() ? s : (Object) (long) random.nextInt(), s)),
          List.of(random(random)), t, s, Map.of(t, s), List.of());
      String body = random(random) + "\n---\n" + random(random);
      String text = SkillMarkdown.serialise(m, body);
      SkillMarkdown.Document back;
      try {
        back = SkillMarkdown.parse(text);
      } catch (OtterbotException e) {
        throw new AssertionError("could not read back:\n" + text, e);
      }
      assertEquals(m, back.meta(), () -> "could not read back:\n" + text);
      assertEquals(SkillMarkdown.jsTrim(body), back.body(), () -> "could not read back:\n" + text);
    }
  }

  static final List<String> FRAGMENTS = List.of("---\n", "name: ", "tools:\n", "  - ", "- ", "parameters:\n",
      "  p: {type: ", "metadata:\n  ", "[", "]", "{", "}", ": ", ", ", "&a ", "*a", "!!binary ", "!!int ", "? ", "|",
      ">-", "\n", "\t", "'", "\"", "#", "%YAML 1.1\n", "...\n", "~", "null", "0x", "1e", ".inf", "\\", "\u0000",
      "\u0085", "\uFEFF", "\uD83E", "\uDDA6", "allowed-tools: ", "default: ");

  @Test
  void anyTextIsParsedOrRefusedAsInvalid() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder text = new StringBuilder(random.nextBoolean() ? "---\n" : "");
      for (int n = random.nextInt(30); n > 0; n--) {
        text.append(random.nextInt(3) == 0 ? random(random) : FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
      }
      try {
        SkillMarkdown.Document doc = SkillMarkdown.parse(text.toString());
        // whatever was read can be written and read again
        assertEquals(doc, SkillMarkdown.parse(SkillMarkdown.serialise(doc.meta(), doc.body())), text::toString);
      } catch (OtterbotException e) {
        assertEquals(OtterbotException.Kind.INVALID, e.kind());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
      }
    }
  }

  @Test
  void bodiesSurviveTrimmed() {
    for (String body : List.of("# Title\n\nText.", "---\nnot: frontmatter\n---", "line\r\nwith crlf",
        "  \n  indented code\n", "🦦", "<!-- comment -->\n`code`")) {
      String text = SkillMarkdown.serialise(meta("b", "d"), body);
      assertEquals(SkillMarkdown.jsTrim(body), SkillMarkdown.parse(text).body(), text);
    }
  }

  @Test
  void parsingAnExportGivesTheExportAgain() {
    String original = """
        ---
        name: Ünïcode Skill
        description: |
          Multi-line: "quoted" and 'single'.
          Second line # not a comment
        version: 0.9
        author: Otter <otter@example.com>
        tools: [file_read, shell_exec]
        parameters:
          limit: {type: number, default: 10, description: "How many: at most"}
        tags: [a, "1", 'true']
        license: Proprietary. LICENSE.txt has complete terms
        metadata:
          version: "1.0"
        allowed-tools: Read Grep
        ---
        # Body

        Text.
        """;
    SkillMarkdown.Document first = SkillMarkdown.parse(original);
    String exported = SkillMarkdown.serialise(first.meta(), first.body());
    SkillMarkdown.Document second = SkillMarkdown.parse(exported);
    assertEquals(first, second);
    assertEquals(exported, SkillMarkdown.serialise(second.meta(), second.body()));
    assertEquals("0.9", second.meta().version());
    assertEquals("Multi-line: \"quoted\" and 'single'.\nSecond line # not a comment\n", second.meta().description());
    assertEquals(List.of("a", "1", "true"), second.meta().tags());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Names and validation

  @Test
  void slugsAsUpstreamExportAllNamesFiles() {
    assertEquals("code-review", SkillMarkdown.slug("Code Review"));
    assertEquals("code-review", SkillMarkdown.slug("  Code -- Review!! "));
    assertEquals("a-b-c", SkillMarkdown.slug("-a_b.c-"));
    assertEquals("n-code", SkillMarkdown.slug("Ünïcode"));
    assertEquals("skill", SkillMarkdown.slug("!!!"));
    assertEquals("skill", SkillMarkdown.slug(""));
    assertEquals("skill", SkillMarkdown.slug(null));
    assertEquals("skill", SkillMarkdown.slug("日本語"));
    assertEquals("web-search-2", SkillMarkdown.slug("Web Search 2"));
  }

  @Test
  void slugsAreCutTo64Characters() {
    assertEquals("a".repeat(64), SkillMarkdown.slug("A".repeat(300)));
    // a cut that ends on a separator loses it
    assertEquals("a".repeat(63), SkillMarkdown.slug("a".repeat(63) + " " + "b".repeat(10)));
    assertTrue(SkillMarkdown.slug("word ".repeat(100)).length() <= 64);
    assertFalse(SkillMarkdown.slug("word ".repeat(100)).endsWith("-"));
  }

  @Test
  void agentSkillsNamesAreAdviceNotARule() {
    assertTrue(SkillMarkdown.isSpecName("pdf-processing"));
    assertTrue(SkillMarkdown.isSpecName("a".repeat(64)));
    assertFalse(SkillMarkdown.isSpecName("a".repeat(65)));
    assertFalse(SkillMarkdown.isSpecName("PDF Processing"));
    assertFalse(SkillMarkdown.isSpecName(""));
    assertFalse(SkillMarkdown.isSpecName(null));

    assertEquals(List.of(), SkillMarkdown.specDeviations(meta("pdf-processing", "Extracts text from PDFs.")));
    assertEquals(List.of("name should be 1 to 64 characters of lowercase letters, digits and hyphens",
        "description should be 1 to 1024 characters"), SkillMarkdown.specDeviations(meta("Untitled Skill", "")));
    assertEquals(List.of("description should be 1 to 1024 characters"),
        SkillMarkdown.specDeviations(meta("ok", "d".repeat(1025))));

    // upstream accepts any name: parsing never refuses one
    assertEquals("Untitled Skill", SkillMarkdown.parse("no frontmatter").meta().name());
    assertEquals("Name With Spaces & Capitals",
        SkillMarkdown.parse("---\nname: Name With Spaces & Capitals\n---\nx").meta().name());
  }

  @Test
  void nameAndBodyAreRequiredWithTheRoutesMessage() {
    String message = "skill markdown needs frontmatter `name` and a body";
    SkillMarkdown.Document ok = SkillMarkdown.parse("---\nname: a\n---\nbody");
    assertSame(ok, SkillMarkdown.requireNameAndBody(ok, message));
    // the name defaults, so in practice only an empty body fails (§4.5)
    SkillMarkdown.Document noName = SkillMarkdown.parse("body only");
    assertSame(noName, SkillMarkdown.requireNameAndBody(noName, message));
    for (String text : List.of("---\nname: a\n---\n  \n", "---\nname: \"\"\n---\nbody", "")) {
      OtterbotException e = assertThrows(OtterbotException.class,
          () -> SkillMarkdown.requireNameAndBody(SkillMarkdown.parse(text), message));
      assertEquals(OtterbotException.Kind.INVALID, e.kind());
      assertEquals(message, e.getMessage());
    }
  }

  static String quote(String s) {
    return "\"" + s.replace("\n", "\\n").replace("\r", "\\r") + "\"";
  }
}
