package otterbot.skills.internal;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import otterbot.api.OtterbotException;
import otterbot.api.skill.ScanFinding;

/**
 * The security scanner for SKILL.md text (upstream §8.6, {@code scanSkillContent}): four passes over the raw text
 * (hidden content, prompt injection, dangerous tools, exfiltration) with upstream's messages, severities, categories,
 * 1-based line numbers and snippets (a line's first 80 characters), in upstream's order.
 *
 * <p>The patterns are upstream's, written out for Java: JavaScript's {@code \b} and {@code \s} are ASCII word
 * boundaries and Unicode white space, Java's differ, so both are spelled out ({@link #WORD_START}, {@link #JS_SPACE}).
 * Where the compatibility spec words a rule more broadly or more precisely than the upstream version we could read,
 * the spec wins; each such place says so.
 *
 * <p>Every loop is linear in the text: the text is at most {@link SkillMarkdown#MAX_BYTES}, and no pattern can
 * backtrack over more than one line.
 */
public final class SkillScanner {
  public static final String ERROR = "error";
  public static final String WARNING = "warning";

  public static final String HIDDEN_CONTENT = "hidden-content";
  public static final String PROMPT_INJECTION = "prompt-injection";
  public static final String DANGEROUS_TOOLS = "dangerous-tools";
  public static final String EXFILTRATION = "exfiltration";

  public static final String STATUS_ERRORS = "errors";
  public static final String STATUS_WARNINGS = "warnings";
  public static final String STATUS_CLEAN = "clean";

  /** At most this many findings are kept (errors first, see {@link #bounded}); a real skill has a handful. */
  public static final int MAX_FINDINGS = 500;
  /** {@link #format} lists at most this many distinct findings: the text ends up in one error message. */
  public static final int MAX_FORMATTED = 50;

  static final int SNIPPET = 80;
  static final int BASE64_SNIPPET = 60;

  /** JavaScript's {@code \s}: ASCII white space plus the Unicode spaces, line separators and U+FEFF. */
  static final String JS_SPACE = "[\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F"
      + "\\u3000\\uFEFF]";
  /** JavaScript's {@code \b} before and after a word that starts and ends with a word character. */
  static final String WORD_START = "(?<![A-Za-z0-9_])";
  static final String WORD_END = "(?![A-Za-z0-9_])";

  private static final int CI = Pattern.CASE_INSENSITIVE;

  // Pass 1: hidden content
  private static final char[] ZERO_WIDTH = {'\u200B', '\u200C', '\u200D', '\uFEFF', '\u2060', '\u180E'};
  private static final char[] DIRECTIONAL = {'\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E',
      '\u2066', '\u2067', '\u2068', '\u2069'};

  // Pass 2: prompt injection
  private static final Pattern INSTRUCTION_KEYWORDS = words(
      "ignore|override|disregard|forget|instead|new instructions|system prompt|you are now|act as");
  private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{20,}={0,2}");
  private static final Pattern MARKDOWN_COMMENT = Pattern.compile("^\\[//\\]:" + JS_SPACE + "*#");
  /*
   * Upstream's pattern is display\s*:\s*none|opacity\s*:\s*0\b|font[- ]size\s*[:=]\s*0, which also flags
   * "opacity:0.5" (\b matches before the dot) and "font-size:0.9em". The spec names opacity:0 and font-size:0, and a
   * scanner error rejects an install, so only zero values count here: 0, 0.0, .0, 0% and 0 with a unit (0px, 0em).
   */
  private static final String ZERO = "(?:0+(?:\\.0*)?|\\.0+)(?![0-9.])";
  private static final Pattern INVISIBLE_HTML = Pattern.compile("display" + JS_SPACE + "*:" + JS_SPACE + "*none"
      + "|opacity" + JS_SPACE + "*:" + JS_SPACE + "*" + ZERO
      + "|font[- ]size" + JS_SPACE + "*[:=]" + JS_SPACE + "*" + ZERO, CI);

  // Pass 3: dangerous tools
  private static final Pattern FILE_WRITE = Pattern.compile("file_write", CI);
  private static final Pattern SENSITIVE_PATH = Pattern.compile("/(?:etc|root|\\.ssh|\\.gnupg|\\.aws|\\.config)/", CI);
  private static final Pattern COERCIVE = words(
      "you must|always use|never refuse|execute immediately|run this command");
  private static final Pattern TOOLS_KEY = Pattern.compile("^tools:");
  private static final Pattern TOOL_ITEM = Pattern.compile("^" + JS_SPACE + "+-" + JS_SPACE + "+");

  // Pass 4: exfiltration
  private static final Pattern URL = Pattern.compile("https?://[^\"'<>)" + JS_SPACE.substring(1) + "+", CI);
  /*
   * The spec (§8.6, and upstream's tests) narrows upstream's first \b(curl|fetch|wget|...)\b, which flagged the prose
   * "Fetch the relevant notes": curl or wget count as a command when they stand at the start of a line or after white
   * space or a backtick, optionally behind a "$" or ">" prompt, and are followed by an option, a URL or a quoted URL.
   * Beyond the spec's list, a command right after a shell operator ("$(curl -s ...)", "x | wget -O- ...", "a; curl",
   * "a && curl") counts too: those are commands by construction, and they hid from the narrower rule.
   */
  private static final Pattern NETWORK_COMMAND = Pattern.compile("(?:^|[`(|;&]|" + JS_SPACE + ")(?:[$>]"
      + JS_SPACE + "*)?(?:curl|wget)" + JS_SPACE + "+(?:-|[A-Za-z][A-Za-z0-9+.-]*://|[\"'][A-Za-z][A-Za-z0-9+.-]*://)",
      CI);
  /** The calls the spec names: fetch(, http.get(, request.post(, axios( and axios.x(. */
  private static final Pattern NETWORK_CALL = Pattern.compile(WORD_START
      + "(?:fetch|http\\.get|request\\.post|axios(?:\\.[A-Za-z_$][A-Za-z0-9_$]*)?)\\(", CI);
  private static final Pattern BASE64_ENCODE = words("btoa|base64[._]?encode");
  /*
   * Upstream wrote \b(...|Buffer\.from.*toString\s*\(\s*['"]base64['"])\b: the closing \b after the quote needs a word
   * character next, so "Buffer.from(x).toString('base64')" never matched. The spec lists it, so it is matched here, in
   * two linear steps instead of a ".*" that could backtrack.
   */
  private static final Pattern BUFFER_FROM = Pattern.compile(WORD_START + "Buffer\\.from" + WORD_END, CI);
  private static final Pattern TO_BASE64 = Pattern.compile(WORD_START + "toString" + JS_SPACE + "*\\(" + JS_SPACE
      + "*['\"]base64['\"]", CI);
  private static final Pattern EXFILTRATION_PHRASE = words(
      "send to|upload to|post to|webhook|exfiltrate|phone home");
  /** The spec lists "api key" with a space as well; upstream's api[_-]?key did not match it. */
  private static final Pattern CREDENTIAL = words(
      "api[ _-]?key|password|token|secret|credential|private[ _-]?key|access[ _-]?key");
  private static final Pattern EXTRACTION_VERB = words("extract|read|get|find|collect|gather");
  /*
   * The spec: "repeat/output/reveal/print your (system) prompt/instructions". Upstream matched only four of those
   * combinations (no "output your prompt", no "reveal your instructions"); every combination is matched here.
   */
  private static final Pattern SYSTEM_PROMPT = words("(?:repeat|output|reveal|print) your (?:system )?"
      + "(?:prompt|instructions)");

  private SkillScanner() {}

  private static Pattern words(String alternatives) {
    return Pattern.compile(WORD_START + "(?:" + alternatives + ")" + WORD_END, CI);
  }

  /**
   * Scans SKILL.md text.
   *
   * @throws OtterbotException {@code INVALID} for text over {@link SkillMarkdown#MAX_BYTES}
   */
  public static List<ScanFinding> scan(String raw) {
    SkillMarkdown.requireBounded(raw);
    // upstream splits on "\n"; a "\r" before it is left out of matching and snippets here
    String[] lines = raw.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].endsWith("\r")) {
        lines[i] = lines[i].substring(0, lines[i].length() - 1);
      }
    }
    List<ScanFinding> findings = new ArrayList<>();
    hiddenContent(lines, findings);
    promptInjection(raw, lines, findings);
    dangerousTools(raw, lines, findings);
    exfiltration(lines, findings);
    return bounded(findings);
  }

  /** {@code errors} if any finding is an error, else {@code warnings} if any is a warning, else {@code clean}. */
  public static String status(List<ScanFinding> findings) {
    boolean warnings = false;
    for (ScanFinding f : findings) {
      if (ERROR.equals(f.severity())) {
        return STATUS_ERRORS;
      }
      warnings |= WARNING.equals(f.severity());
    }
    return warnings ? STATUS_WARNINGS : STATUS_CLEAN;
  }

  /**
   * Upstream's {@code formatScanFindings}: {@code "<message> (line <n>)"}, or the message alone without a line, exact
   * duplicates removed, joined with {@code "; "}. Beyond {@value #MAX_FORMATTED} distinct parts the rest is counted,
   * not listed.
   */
  public static String format(List<ScanFinding> findings) {
    Set<String> parts = new LinkedHashSet<>();
    for (ScanFinding f : findings) {
      parts.add(f.line() == null ? f.message() : f.message() + " (line " + f.line() + ")");
    }
    if (parts.size() <= MAX_FORMATTED) {
      return String.join("; ", parts);
    }
    List<String> shown = new ArrayList<>(parts).subList(0, MAX_FORMATTED);
    return String.join("; ", shown) + "; and " + (parts.size() - MAX_FORMATTED) + " more";
  }

  /**
   * Keeps at most {@link #MAX_FINDINGS}, in scan order; errors are kept before warnings, so the status of the kept
   * findings is the status of all of them.
   */
  static List<ScanFinding> bounded(List<ScanFinding> findings) {
    if (findings.size() <= MAX_FINDINGS) {
      return findings;
    }
    boolean[] keep = new boolean[findings.size()];
    int kept = 0;
    for (int pass = 0; pass < 2 && kept < MAX_FINDINGS; pass++) {
      for (int i = 0; i < findings.size() && kept < MAX_FINDINGS; i++) {
        if (!keep[i] && (pass == 1 || ERROR.equals(findings.get(i).severity()))) {
          keep[i] = true;
          kept++;
        }
      }
    }
    List<ScanFinding> out = new ArrayList<>(kept);
    for (int i = 0; i < findings.size(); i++) {
      if (keep[i]) {
        out.add(findings.get(i));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pass 1: hidden content

  private static void hiddenContent(String[] lines, List<ScanFinding> findings) {
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      // one finding per line and kind; the code point named is the first of upstream's list present on the line
      Character zeroWidth = firstOf(line, ZERO_WIDTH);
      if (zeroWidth != null) {
        findings.add(onLine(ERROR, HIDDEN_CONTENT, "Zero-width character detected (" + codePoint(zeroWidth) + ")",
            i, line));
      }
      Character directional = firstOf(line, DIRECTIONAL);
      if (directional != null) {
        findings.add(onLine(ERROR, HIDDEN_CONTENT, "Directional override character detected ("
            + codePoint(directional) + ")", i, line));
      }
      if (hasTagCharacter(line)) {
        findings.add(onLine(ERROR, HIDDEN_CONTENT, "Unicode tag characters detected (U+E0001-E007F range)", i, line));
      }
    }
  }

  private static Character firstOf(String line, char[] candidates) {
    for (char c : candidates) {
      if (line.indexOf(c) >= 0) {
        return c;
      }
    }
    return null;
  }

  private static String codePoint(char c) {
    return String.format("U+%04X", (int) c);
  }

  /** U+E0001 to U+E007F, as the surrogate pairs upstream matched (high U+DB40, low U+DC01 to U+DC7F). */
  private static boolean hasTagCharacter(String line) {
    for (int i = line.indexOf('\uDB40'); i >= 0 && i + 1 < line.length(); i = line.indexOf('\uDB40', i + 1)) {
      char low = line.charAt(i + 1);
      if (low >= '\uDC01' && low <= '\uDC7F') {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pass 2: prompt injection

  private static void promptInjection(String text, String[] lines, List<ScanFinding> findings) {
    LineCounter counter = new LineCounter(text);

    // HTML comments, which may span lines; reported on the line where they open
    for (int open = text.indexOf("<!--"); open >= 0; ) {
      int close = text.indexOf("-->", open + 4);
      if (close < 0) {
        break; // no later comment can close either
      }
      String comment = text.substring(open, close + 3);
      if (INSTRUCTION_KEYWORDS.matcher(comment).find()) {
        findings.add(new ScanFinding(ERROR, PROMPT_INJECTION, "HTML comment contains instructional content",
            counter.lineOf(open), snippet(comment, SNIPPET)));
      }
      open = text.indexOf("<!--", close + 3);
    }

    counter = new LineCounter(text);
    Matcher run = BASE64_RUN.matcher(text);
    while (run.find()) {
      if (isBase64Instruction(run.group())) {
        findings.add(new ScanFinding(ERROR, PROMPT_INJECTION, "Base64-encoded instructional content detected",
            counter.lineOf(run.start()), snippet(run.group(), BASE64_SNIPPET) + "..."));
      }
    }

    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      Matcher comment = MARKDOWN_COMMENT.matcher(line);
      if (comment.find()) {
        String rest = SkillMarkdown.jsTrim(line.substring(comment.end()));
        if (rest.startsWith("(") && INSTRUCTION_KEYWORDS.matcher(rest).find()) {
          findings.add(onLine(WARNING, PROMPT_INJECTION, "Markdown comment with potential hidden instructions", i,
              line));
        }
      }
      if (mixesScripts(line)) {
        findings.add(onLine(WARNING, PROMPT_INJECTION,
            "Mixed Latin/Cyrillic/Greek characters detected (potential homoglyph attack)", i, line));
      }
      if (INVISIBLE_HTML.matcher(line).find()) {
        findings.add(onLine(ERROR, PROMPT_INJECTION,
            "Invisible HTML content detected (display:none, opacity:0, or font-size:0)", i, line));
      }
    }
  }

  /**
   * Decodes a base64 run the way Node's {@code Buffer.from(s, "base64")} does (padding optional, a dangling sixth bit
   * group dropped) and tells whether it is printable ASCII of more than 10 characters with an instruction keyword.
   */
  static boolean isBase64Instruction(String run) {
    String s = run;
    while (s.endsWith("=")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.length() % 4 == 1) {
      s = s.substring(0, s.length() - 1);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (bytes.length <= 10) {
      return false;
    }
    for (byte b : bytes) {
      // anything else would not survive upstream's /^[\x20-\x7E\n\r\t]+$/ after UTF-8 decoding
      if (!((b >= 0x20 && b <= 0x7E) || b == '\n' || b == '\r' || b == '\t')) {
        return false;
      }
    }
    return INSTRUCTION_KEYWORDS.matcher(new String(bytes, java.nio.charset.StandardCharsets.US_ASCII)).find();
  }

  private static boolean mixesScripts(String line) {
    boolean latin = false;
    boolean other = false;
    for (int i = 0; i < line.length() && !(latin && other); i++) {
      char c = line.charAt(i);
      latin |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      other |= (c >= '\u0400' && c <= '\u04FF') || (c >= '\u0370' && c <= '\u03FF');
    }
    return latin && other;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pass 3: dangerous tools

  private static void dangerousTools(String raw, String[] lines, List<ScanFinding> findings) {
    List<String> tools = frontmatterTools(raw);
    if (tools != null) {
      if (tools.contains("shell_exec")) {
        findings.add(new ScanFinding(WARNING, DANGEROUS_TOOLS,
            "Skill requests shell_exec access — can execute arbitrary commands", null, null));
      }
      if (tools.size() > 5) {
        findings.add(new ScanFinding(WARNING, DANGEROUS_TOOLS, "Skill requests " + tools.size()
            + " tools — unusually high number", null, null));
      }
    }
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (FILE_WRITE.matcher(line).find() && SENSITIVE_PATH.matcher(line).find()) {
        findings.add(onLine(WARNING, DANGEROUS_TOOLS, "Reference to writing files in sensitive system paths", i, line));
      }
      if (COERCIVE.matcher(line).find()) {
        findings.add(onLine(WARNING, DANGEROUS_TOOLS, "Coercive tool invocation language detected", i, line));
      }
    }
  }

  /**
   * The tools the frontmatter asks for, or null without frontmatter. Upstream read only an indented block list under
   * a {@code tools:} line; here the YAML is parsed, so a flow list ({@code tools: [a, b]}) or an unindented block list
   * counts as well, exactly the tools the skill would get. When the YAML does not parse (the skill cannot be created
   * then, but the scan still reports), upstream's line reading is the fallback.
   */
  static List<String> frontmatterTools(String raw) {
    SkillMarkdown.Split split;
    try {
      split = SkillMarkdown.split(raw.startsWith("\uFEFF") ? raw.substring(1) : raw);
    } catch (OtterbotException unclosed) {
      return null;
    }
    if (split == null) {
      return null;
    }
    try {
      return SkillMarkdown.parse(raw).meta().tools();
    } catch (OtterbotException invalidYaml) {
      List<String> tools = new ArrayList<>();
      boolean inTools = false;
      for (String line : split.yaml().split("\n", -1)) {
        if (TOOLS_KEY.matcher(line).find()) {
          inTools = true;
        } else if (inTools) {
          Matcher item = TOOL_ITEM.matcher(line);
          if (item.find()) {
            tools.add(SkillMarkdown.jsTrim(line.substring(item.end())));
          } else {
            inTools = false;
          }
        }
      }
      return tools;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pass 4: exfiltration (every line, the frontmatter's included)

  private static void exfiltration(String[] lines, List<ScanFinding> findings) {
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (URL.matcher(line).find()) {
        findings.add(onLine(WARNING, EXFILTRATION, "URL found in skill content", i, line));
      }
      if (NETWORK_COMMAND.matcher(line).find() || NETWORK_CALL.matcher(line).find()) {
        findings.add(onLine(ERROR, EXFILTRATION, "Network request command/function reference detected", i, line));
      }
      if (BASE64_ENCODE.matcher(line).find() || encodesBufferAsBase64(line)) {
        findings.add(onLine(WARNING, EXFILTRATION, "Base64 encoding instruction detected", i, line));
      }
      if (EXFILTRATION_PHRASE.matcher(line).find()) {
        findings.add(onLine(ERROR, EXFILTRATION, "Potential data exfiltration instruction detected", i, line));
      }
      if (CREDENTIAL.matcher(line).find() && EXTRACTION_VERB.matcher(line).find()) {
        findings.add(onLine(ERROR, EXFILTRATION, "Credential extraction language detected", i, line));
      }
      if (SYSTEM_PROMPT.matcher(line).find()) {
        findings.add(onLine(ERROR, EXFILTRATION, "System prompt extraction attempt detected", i, line));
      }
    }
  }

  /** {@code Buffer.from ... toString('base64')}: if the first Buffer.from has no such call after it, none has. */
  private static boolean encodesBufferAsBase64(String line) {
    Matcher from = BUFFER_FROM.matcher(line);
    return from.find() && TO_BASE64.matcher(line).region(from.end(), line.length()).find();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  private static ScanFinding onLine(String severity, String category, String message, int index, String line) {
    return new ScanFinding(severity, category, message, index + 1, snippet(line, SNIPPET));
  }

  /** The first {@code max} characters; a surrogate pair cut in half loses its first half too (valid JSON after). */
  static String snippet(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end);
  }

  /** Line numbers of increasing offsets, in one pass over the text. */
  private static final class LineCounter {
    private final String text;
    private int offset;
    private int line = 1;

    LineCounter(String text) {
      this.text = text;
    }

    int lineOf(int position) {
      for (; offset < position; offset++) {
        if (text.charAt(offset) == '\n') {
          line++;
        }
      }
      return line;
    }
  }
}
