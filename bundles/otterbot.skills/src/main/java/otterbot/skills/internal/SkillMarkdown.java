package otterbot.skills.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;

import otterbot.api.OtterbotException;
import otterbot.api.skill.SkillMeta;
import otterbot.api.skill.SkillParameter;

/**
 * SKILL.md text to {@link SkillMeta} and body, and back (upstream §8.2, §8.3), with the optional keys of the
 * agentskills.io specification kept.
 *
 * <p>The frontmatter is YAML between a first line {@code ---} and the next line {@code ---}; the body is the rest,
 * trimmed. Upstream read it with gray-matter (js-yaml) and wrote it with gray-matter's {@code stringify}; here
 * jackson-dataformat-yaml (SnakeYAML underneath) does both, configured to write what js-yaml writes: block style,
 * lists indented under their key ({@code "  - item"}), strings quoted only when YAML needs it.
 *
 * <p>One rule for keys of the wrong shape, taken from upstream's {@code Array.isArray(data.tools) ? data.tools : []}:
 * a key whose value has the wrong shape (a list where a string belongs, a string where a list belongs) counts as
 * absent, so upstream's default applies. Only YAML that does not parse is refused.
 */
public final class SkillMarkdown {
  /** The largest SKILL.md accepted (UTF-8 bytes); a skill is prose for a model, 256 KiB is far beyond any real one. */
  public static final int MAX_BYTES = 256 * 1024;

  public static final String DEFAULT_NAME = "Untitled Skill";
  public static final String DEFAULT_VERSION = "1.0.0";

  /** Frontmatter nesting beyond this is refused: no skill needs it, and it bounds the recursive reader. */
  static final int MAX_DEPTH = 32;

  /** agentskills.io: a name is 1 to 64 characters of lowercase letters, digits and hyphens. */
  private static final Pattern SPEC_NAME = Pattern.compile("[a-z0-9-]{1,64}");
  private static final int SPEC_DESCRIPTION_MAX = 1024;
  private static final int SPEC_COMPATIBILITY_MAX = 500;
  /** File names of exported skills stay this short (agentskills.io's name limit), whatever the name's length. */
  static final int SLUG_MAX = 64;

  /** A number default (parameters) is kept as a number only when written the plain decimal way; see readDefault. */
  private static final Pattern DECIMAL = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?");

  private static final Pattern BOOLEAN = Pattern.compile("true|True|TRUE|false|False|FALSE");

  private static final YAMLFactory YAML = new Factory(YAMLFactory.builder()
      .loaderOptions(loaderOptions())
      // "name:" with nothing after it is null (YAML, js-yaml), so the default applies; name: "" stays ""
      .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
      .stringQuotingChecker(new QuoteWhatReadsAsNoString())
      // js-yaml's look: no "---" of YAML's own (gray-matter adds the fences), "key:\n  - item", plain scalars unless
      // quoting is needed, multi-line strings as literal blocks, long strings not folded.
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      // "1.0" the string must come back as a string, not as the number 1.0 (MINIMIZE_QUOTES alone would write it plain)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.ALLOW_LONG_KEYS));

  private SkillMarkdown() {}

  /**
   * Whether SnakeYAML could write a character of the text raw where its reader turns it into another line break: a
   * carriage return or NEL is read back as {@code \n}, and U+2028/U+2029 fold in quoted scalars. Such text is written
   * double-quoted, where these characters are escapes.
   */
  static boolean hasFragileBreak(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        return true;
      }
    }
    return false;
  }

  /** The YAML factory with {@link EscapingGenerator} as its generator. */
  static final class Factory extends YAMLFactory {
    private static final long serialVersionUID = 1L;

    Factory(YAMLFactoryBuilder builder) {
      super(builder);
    }

    @Override
    protected YAMLGenerator _createGenerator(Writer out, IOContext context) throws IOException {
      return new EscapingGenerator(context, _generatorFeatures, _yamlGeneratorFeatures, _quotingChecker, _objectCodec,
          out, _version);
    }
  }

  /**
   * Jackson writes every string with a {@code \n} as a literal block, whatever else it holds; a string with a
   * {@link #hasFragileBreak fragile line break} is written double-quoted instead.
   */
  static final class EscapingGenerator extends YAMLGenerator {
    EscapingGenerator(IOContext context, int jsonFeatures, int yamlFeatures, StringQuotingChecker checker,
        ObjectCodec codec, Writer out, DumperOptions.Version version) throws IOException {
      super(context, jsonFeatures, yamlFeatures, checker, codec, out, version);
    }

    @Override
    public void writeString(String text) throws IOException {
      if (text != null && hasFragileBreak(text)) {
        _verifyValueWrite("write String value");
        _writeScalar(text, "string", DumperOptions.ScalarStyle.DOUBLE_QUOTED);
        return;
      }
      super.writeString(text);
    }
  }

  /**
   * Quotes a string whenever this class's reader would not read it back as that string. Jackson's own check knows
   * YAML's keywords and plain numbers, but its reader also types {@code 1e5}, {@code 0x1F}, {@code +5} or {@code .inf}
   * as numbers; asking the reader itself keeps writer and reader in step.
   */
  static final class QuoteWhatReadsAsNoString extends StringQuotingChecker.Default {
    private static final long serialVersionUID = 1L;
    private static final YAMLFactory PROBE = YAMLFactory.builder()
        .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();

    @Override
    public boolean needToQuoteName(String name) {
      return super.needToQuoteName(name) || hasFragileBreak(name);
    }

    @Override
    public boolean needToQuoteValue(String value) {
      return super.needToQuoteValue(value) || !readsAsString(value);
    }

    static boolean readsAsString(String value) {
      if (value.isEmpty()) {
        return false;
      }
      if (value.indexOf('\n') >= 0 || hasFragileBreak(value)) {
        return true; // a literal block, or double quotes from EscapingGenerator: never plain
      }
      try (JsonParser parser = PROBE.createParser(value)) {
        return parser.nextToken() == JsonToken.VALUE_STRING && value.equals(parser.getText())
            && parser.nextToken() == null;
      } catch (IOException | RuntimeException e) {
        return true; // not plain YAML: SnakeYAML picks a quoted style by itself
      }
    }
  }

  /** A parsed SKILL.md: its frontmatter and its trimmed body. */
  public record Document(SkillMeta meta, String body) {
    public Document {
      Objects.requireNonNull(meta, "meta");
      body = body == null ? "" : body;
    }
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    // Jackson does not expand aliases, but keep SnakeYAML's own guards explicit and tight.
    options.setMaxAliasesForCollections(10);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_BYTES);
    return options;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Parsing

  /**
   * Parses SKILL.md text (§8.2). Text without frontmatter gives the defaults and the whole text, trimmed, as body.
   *
   * @throws OtterbotException {@code INVALID} for text over {@link #MAX_BYTES}, an unclosed frontmatter, YAML that does
   *     not parse (the parser's message, one line) or frontmatter that is not a mapping
   */
  public static Document parse(String text) {
    requireBounded(text);
    String source = stripBom(text);
    Split split = split(source);
    if (split == null) {
      return new Document(meta(Map.of()), jsTrim(source));
    }
    Map<String, Object> data = readYaml(split.yaml(), split.yamlFirstLine());
    return new Document(meta(data), jsTrim(split.body()));
  }

  /** Refuses null and text over {@link #MAX_BYTES}. */
  static void requireBounded(String text) {
    if (text == null) {
      throw OtterbotException.invalid("SKILL.md text is missing");
    }
    if (text.length() > MAX_BYTES || utf8Length(text) > MAX_BYTES) {
      throw OtterbotException.invalid("SKILL.md is larger than 256 KiB");
    }
  }

  /** The frontmatter's YAML, the body after it and where the YAML starts; null when the text has no frontmatter. */
  record Split(String yaml, String body, int yamlFirstLine) {}

  /**
   * Cuts the text at its frontmatter fences: the first line is {@code ---}, the next line that is {@code ---} closes it
   * (trailing spaces and a {@code \r} are allowed on both). gray-matter would read an unclosed frontmatter as YAML up
   * to the end of the text, which fails on any Markdown body; saying what is wrong is more helpful.
   */
  static Split split(String text) {
    int firstEnd = lineEnd(text, 0);
    if (!isFence(text, 0, firstEnd)) {
      return null;
    }
    int yamlStart = Math.min(firstEnd + 1, text.length());
    int at = yamlStart;
    while (at < text.length()) {
      int end = lineEnd(text, at);
      if (isFence(text, at, end)) {
        String yaml = text.substring(yamlStart, at);
        String body = end >= text.length() ? "" : text.substring(end + 1);
        return new Split(yaml, body, 2);
      }
      at = end + 1;
    }
    throw OtterbotException.invalid("SKILL.md frontmatter has no closing --- line");
  }

  private static int lineEnd(String text, int from) {
    int end = text.indexOf('\n', from);
    return end < 0 ? text.length() : end;
  }

  private static boolean isFence(String text, int start, int end) {
    if (end - start < 3 || !text.startsWith("---", start)) {
      return false;
    }
    for (int i = start + 3; i < end; i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  /** The frontmatter as a map of plain values: {@link Scalar}, {@code List}, {@code Map}; null values are kept. */
  static Map<String, Object> readYaml(String yaml, int firstLine) {
    if (yaml.isBlank()) {
      return Map.of();
    }
    try (JsonParser parser = YAML.createParser(yaml)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return Map.of();
      }
      Object root = read(parser, token, firstLine, 0);
      if (root == null) {
        return Map.of();
      }
      if (!(root instanceof Map)) {
        throw OtterbotException.invalid("SKILL.md frontmatter must be a YAML mapping of keys to values");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) root;
      return map;
    } catch (StreamConstraintsException e) {
      throw OtterbotException.invalid("invalid YAML in the SKILL.md frontmatter: " + oneLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw OtterbotException.invalid(describe(e, firstLine));
    } catch (YAMLException e) {
      throw OtterbotException.invalid(describe(e, firstLine));
    } catch (IOException e) {
      // a StringReader does not fail; should it, the text could not be read as YAML either
      throw OtterbotException.invalid("invalid YAML in the SKILL.md frontmatter: " + oneLine(e.getMessage()));
    }
  }

  /** A YAML scalar: its text as written and its value as typed by the parser (String, Number, Boolean). */
  record Scalar(String text, Object value) {}

  private static Object read(JsonParser parser, JsonToken token, int firstLine, int depth) throws IOException {
    switch (token) {
      case START_OBJECT: {
        if (depth >= MAX_DEPTH) {
          throw OtterbotException.invalid("SKILL.md frontmatter nests deeper than " + MAX_DEPTH + " levels");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          requireToken(t);
          String key = parser.currentName();
          int line = parser.currentTokenLocation().getLineNr();
          JsonToken valueToken = parser.nextToken();
          requireToken(valueToken);
          Object value = read(parser, valueToken, firstLine, depth + 1);
          if (map.containsKey(key)) {
            // js-yaml (upstream) refuses duplicated keys; Jackson would keep the last one silently
            throw OtterbotException.invalid("invalid YAML in the SKILL.md frontmatter: duplicated mapping key '"
                + oneLine(key) + "'" + at(line + firstLine - 1, -1));
          }
          map.put(key, value);
        }
        return map;
      }
      case START_ARRAY: {
        if (depth >= MAX_DEPTH) {
          throw OtterbotException.invalid("SKILL.md frontmatter nests deeper than " + MAX_DEPTH + " levels");
        }
        List<Object> list = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          requireToken(t);
          list.add(read(parser, t, firstLine, depth + 1));
        }
        return list;
      }
      case VALUE_NULL:
        return null;
      case VALUE_TRUE:
        return new Scalar(parser.getText(), Boolean.TRUE);
      case VALUE_FALSE:
        return new Scalar(parser.getText(), Boolean.FALSE);
      case VALUE_NUMBER_INT:
        // only plain decimals are read as numbers (the parser's value of 0x1F or 1_000 is not what was written)
        return new Scalar(parser.getText(), DECIMAL.matcher(parser.getText()).matches() ? parser.getNumberValue()
            : parser.getText());
      case VALUE_NUMBER_FLOAT:
        // and .inf, .nan or 5. stay text: the parser cannot even give a value for some of them
        return new Scalar(parser.getText(), DECIMAL.matcher(parser.getText()).matches()
            ? (Object) Double.valueOf(parser.getText()) : parser.getText());
      default:
        // strings, and !!binary and other tagged scalars as the text they were written as
        return new Scalar(parser.getText(), parser.getText());
    }
  }

  private static void requireToken(JsonToken token) {
    if (token == null) {
      // the parser reports a truncated document itself; this keeps the loops finite whatever it does
      throw OtterbotException.invalid("invalid YAML in the SKILL.md frontmatter: unexpected end");
    }
  }

  private static SkillMeta meta(Map<String, Object> data) {
    return new SkillMeta(
        text(data.get("name"), DEFAULT_NAME),
        text(data.get("description"), ""),
        text(data.get("version"), DEFAULT_VERSION),
        text(data.get("author"), ""),
        strings(data.get("tools")),
        strings(data.get("capabilities")),
        parameters(data.get("parameters")),
        strings(data.get("tags")),
        text(data.get("license"), null),
        text(data.get("compatibility"), null),
        stringMap(data.get("metadata")),
        allowedTools(data.get("allowed-tools")));
  }

  /** A scalar's text as written ({@code version: 1.10} stays "1.10"); anything else is absent. */
  private static String text(Object value, String absent) {
    return value instanceof Scalar s ? s.text() : absent;
  }

  /** Only lists count (upstream: {@code Array.isArray}); entries that are not scalars are left out. */
  private static List<String> strings(Object value) {
    if (!(value instanceof List<?> list)) {
      return List.of();
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object item : list) {
      if (item instanceof Scalar s) {
        out.add(s.text());
      }
    }
    return out;
  }

  private static Map<String, String> stringMap(Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> {
      if (v instanceof Scalar s) {
        out.put((String) k, s.text());
      }
    });
    return out;
  }

  /** agentskills.io writes {@code allowed-tools} as one space-separated string; a list is accepted as well. */
  private static List<String> allowedTools(Object value) {
    if (value instanceof Scalar s) {
      List<String> out = new ArrayList<>();
      for (String tool : s.text().trim().split("\\s+")) {
        if (!tool.isEmpty()) {
          out.add(tool);
        }
      }
      return out;
    }
    return strings(value);
  }

  /** {@code {name: {type, default?, description?}}}; entries that are not mappings are left out. */
  private static Map<String, SkillParameter> parameters(Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      return Map.of();
    }
    Map<String, SkillParameter> out = new LinkedHashMap<>();
    map.forEach((k, v) -> {
      if (v instanceof Map<?, ?> p) {
        out.put((String) k, new SkillParameter(text(p.get("type"), null), readDefault(p.get("default")),
            text(p.get("description"), null)));
      }
    });
    return out;
  }

  /**
   * A default is a string, number or boolean (§3.5). A number is kept as a number only when written the plain decimal
   * way, so that what the writer quotes and what the reader types always agree ({@code 0x1F}, {@code .inf} and the
   * like stay strings, as written).
   */
  private static Object readDefault(Object value) {
    if (!(value instanceof Scalar s)) {
      return null;
    }
    if (s.value() instanceof Number n) {
      if (n instanceof Double d) {
        return d.isInfinite() || d.isNaN() ? s.text() : d;
      }
      // whole numbers are Long (BigInteger beyond), so that equal defaults are equal objects
      return n instanceof BigInteger b ? (b.bitLength() < 64 ? (Object) b.longValue() : b) : (Object) n.longValue();
    }
    if (s.value() instanceof Boolean && !BOOLEAN.matcher(s.text()).matches()) {
      return s.text(); // YAML 1.1's yes/no/on/off are strings in js-yaml's (YAML 1.2) schema, as upstream read them
    }
    return s.value();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Serialisation

  /**
   * SKILL.md text for a skill (§8.3): {@code ---\n<yaml>---\n<body>\n} with the keys name, description, version,
   * author, then tools, capabilities, parameters and tags when not empty, then the agentskills.io keys license,
   * compatibility, metadata and allowed-tools when present. {@link #parse} of the result gives the same meta and the
   * trimmed body back.
   */
  public static String serialise(SkillMeta meta, String body) {
    StringWriter out = new StringWriter();
    try (YAMLGenerator g = (YAMLGenerator) YAML.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("name", Objects.requireNonNullElse(meta.name(), DEFAULT_NAME));
      g.writeStringField("description", Objects.requireNonNullElse(meta.description(), ""));
      g.writeStringField("version", Objects.requireNonNullElse(meta.version(), DEFAULT_VERSION));
      g.writeStringField("author", Objects.requireNonNullElse(meta.author(), ""));
      writeList(g, "tools", meta.tools());
      writeList(g, "capabilities", meta.capabilities());
      if (!meta.parameters().isEmpty()) {
        g.writeObjectFieldStart("parameters");
        // SkillMeta keeps its maps unordered: sorted keys make the export stable
        for (Map.Entry<String, SkillParameter> e : new TreeMap<>(meta.parameters()).entrySet()) {
          SkillParameter p = e.getValue();
          g.writeObjectFieldStart(e.getKey());
          if (p != null) {
            if (p.type() != null) {
              g.writeStringField("type", p.type());
            }
            writeDefault(g, p.defaultValue());
            if (p.description() != null) {
              g.writeStringField("description", p.description());
            }
          }
          g.writeEndObject();
        }
        g.writeEndObject();
      }
      writeList(g, "tags", meta.tags());
      if (meta.license() != null) {
        g.writeStringField("license", meta.license());
      }
      if (meta.compatibility() != null) {
        g.writeStringField("compatibility", meta.compatibility());
      }
      if (!meta.metadata().isEmpty()) {
        g.writeObjectFieldStart("metadata");
        for (Map.Entry<String, String> e : new TreeMap<>(meta.metadata()).entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
      if (!meta.allowedTools().isEmpty()) {
        if (meta.allowedTools().stream().allMatch(SkillMarkdown::isSpaceSeparable)) {
          g.writeStringField("allowed-tools", String.join(" ", meta.allowedTools()));
        } else {
          // a tool name with a space in it would not survive the space-separated form
          writeList(g, "allowed-tools", meta.allowedTools());
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    String yaml = out.toString();
    String text = body == null ? "" : body;
    return "---\n" + yaml + "---\n" + text + (text.endsWith("\n") ? "" : "\n");
  }

  private static boolean isSpaceSeparable(String tool) {
    return !tool.isEmpty() && tool.chars().noneMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c));
  }

  private static void writeList(YAMLGenerator g, String key, List<String> values) throws IOException {
    if (values.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart(key);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  private static void writeDefault(YAMLGenerator g, Object value) throws IOException {
    if (value == null) {
      return;
    }
    g.writeFieldName("default");
    if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger b) {
      g.writeNumber(b);
    } else if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
      // Java's 1.0E20 is no YAML float; the plain digits with a fraction read back as the same double
      String plain = java.math.BigDecimal.valueOf(n.doubleValue()).toPlainString();
      g.writeNumber(plain.contains(".") ? plain : plain + ".0");
    } else {
      g.writeString(String.valueOf(value));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Names and validation

  /**
   * The file name stem of an exported skill (§4.5 export-all): lower case, every run of characters outside
   * {@code [a-z0-9]} one {@code -}, a leading and a trailing {@code -} removed, {@code "skill"} when nothing is left.
   * Beyond upstream, the stem is cut to {@value #SLUG_MAX} characters so that no name makes a file name too long.
   */
  public static String slug(String name) {
    String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(Math.min(lower.length(), SLUG_MAX + 1));
    boolean dash = false;
    for (int i = 0; i < lower.length() && out.length() <= SLUG_MAX; i++) {
      char c = lower.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.append(c);
        dash = false;
      } else if (!dash) {
        out.append('-');
        dash = true;
      }
    }
    String slug = out.toString();
    if (slug.startsWith("-")) {
      slug = slug.substring(1);
    }
    if (slug.length() > SLUG_MAX) {
      slug = slug.substring(0, SLUG_MAX);
    }
    if (slug.endsWith("-")) {
      slug = slug.substring(0, slug.length() - 1);
    }
    return slug.isEmpty() ? "skill" : slug;
  }

  /** Whether a name follows agentskills.io (1 to 64 characters of {@code [a-z0-9-]}); upstream accepts any name. */
  public static boolean isSpecName(String name) {
    return name != null && SPEC_NAME.matcher(name).matches();
  }

  /**
   * Where a skill departs from the agentskills.io specification, as sentences to show (empty when it conforms). These
   * are advice: like upstream, import and install accept such skills.
   */
  public static List<String> specDeviations(SkillMeta meta) {
    List<String> out = new ArrayList<>();
    if (!isSpecName(meta.name())) {
      out.add("name should be 1 to 64 characters of lowercase letters, digits and hyphens");
    }
    String description = meta.description() == null ? "" : meta.description();
    if (description.isEmpty() || description.length() > SPEC_DESCRIPTION_MAX) {
      out.add("description should be 1 to " + SPEC_DESCRIPTION_MAX + " characters");
    }
    if (meta.compatibility() != null && meta.compatibility().length() > SPEC_COMPATIBILITY_MAX) {
      out.add("compatibility should be at most " + SPEC_COMPATIBILITY_MAX + " characters");
    }
    return out;
  }

  /**
   * Upstream's check before a skill is created from markdown or installed: a non-empty name and body. The message
   * differs by route (§4.5), so the caller gives it.
   */
  public static Document requireNameAndBody(Document document, String message) {
    if (document.meta().name() == null || document.meta().name().isEmpty() || document.body().isEmpty()) {
      throw OtterbotException.invalid(message);
    }
    return document;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  /** The parser's problem in one line, with the SKILL.md line and column, not the parser's class names or input. */
  private static String describe(JsonProcessingException e, int firstLine) {
    if (e.getCause() instanceof YAMLException y) {
      return describe(y, firstLine);
    }
    JsonLocation location = e.getLocation();
    int line = location == null || location.getLineNr() < 1 ? -1 : location.getLineNr() + firstLine - 1;
    int column = location == null ? -1 : location.getColumnNr();
    return "invalid YAML in the SKILL.md frontmatter: " + oneLine(e.getOriginalMessage()) + at(line, column);
  }

  private static String describe(YAMLException e, int firstLine) {
    if (e instanceof MarkedYAMLException m) {
      String problem = m.getProblem() == null ? "" : m.getProblem();
      String context = m.getContext() == null ? "" : m.getContext() + ", ";
      Mark mark = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
      int line = mark == null ? -1 : mark.getLine() + firstLine;
      int column = mark == null ? -1 : mark.getColumn() + 1;
      return "invalid YAML in the SKILL.md frontmatter: " + oneLine(context + problem) + at(line, column);
    }
    // other SnakeYAML failures (an unacceptable code point, a limit): the first line, without the "'reader'" part
    String message = e.getMessage() == null ? "unreadable YAML" : e.getMessage();
    int newline = message.indexOf('\n');
    return "invalid YAML in the SKILL.md frontmatter: " + oneLine(newline < 0 ? message : message.substring(0, newline));
  }

  private static String at(int line, int column) {
    if (line < 1) {
      return "";
    }
    return column < 1 ? " (line " + line + ")" : " (line " + line + ", column " + column + ")";
  }

  /** One line of printable text, at most 200 characters: messages end up in a JSON error shown to the user. */
  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(message.length(), 200));
    for (int i = 0; i < message.length() && out.length() < 200; i++) {
      char c = message.charAt(i);
      out.append(Character.isISOControl(c) ? ' ' : c);
    }
    return out.toString().replaceAll(" {2,}", " ").trim();
  }

  /** JavaScript's {@code String.prototype.trim}: white space, line terminators and U+FEFF. */
  static String jsTrim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isJsSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isJsSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  static boolean isJsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000B' || c == '\f' || c == '\u00A0'
        || c == '\uFEFF' || c == '\u2028' || c == '\u2029' || Character.getType(c) == Character.SPACE_SEPARATOR;
  }

  /** gray-matter strips a byte order mark before looking for the frontmatter. */
  private static String stripBom(String text) {
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
