package otterbot.persistence.jpa.internal;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import otterbot.api.OtterbotException;
import otterbot.api.skill.ScanFinding;
import otterbot.api.skill.SkillMeta;
import otterbot.api.skill.SkillParameter;

/**
 * The JSON documents of a skill row: its frontmatter and its scan findings. As in {@link ProfileCodec}, they go through
 * private records rather than the API records, so that the stored format only changes when this class does. Map keys
 * are written sorted, so the same skill is always the same text.
 *
 * <p>A parameter's {@code default} is a string, a boolean or a number, as upstream's type says. A whole number reads
 * back as an Integer, Long or BigInteger by size and any other number as a Double, which is what a YAML parser gives
 * for the same value; a Float or a BigDecimal would come back as a Double, and NaN or infinity is refused because JSON
 * has no such number.
 */
final class SkillCodec {
  private static final TypeReference<List<StoredFinding>> FINDINGS = new TypeReference<>() {};

  // Unknown properties are ignored: a row written by a newer version must still load after a downgrade.
  private final ObjectMapper mapper = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  /** @param what names the skill in a refusal */
  String encode(String what, SkillMeta meta) {
    meta.parameters().forEach((name, p) -> checkDefault(what, name, p.defaultValue()));
    return write(StoredMeta.of(meta));
  }

  String encode(List<ScanFinding> findings) {
    return write(findings.stream().map(StoredFinding::of).toList());
  }

  /** @throws JsonProcessingException when the text is not a stored meta */
  SkillMeta meta(String json) throws JsonProcessingException {
    return mapper.readValue(json, StoredMeta.class).toMeta();
  }

  /** @throws JsonProcessingException when the text is not a list of stored findings */
  List<ScanFinding> findings(String json) throws JsonProcessingException {
    return mapper.readValue(json, FINDINGS).stream().map(StoredFinding::toFinding).toList();
  }

  private String write(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a skill's JSON cannot be written", e);
    }
  }

  private static void checkDefault(String what, String parameter, Object value) {
    String name = "default of parameter '" + parameter + "' of " + what;
    if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
      throw OtterbotException.invalid(name + " must be a finite number");
    }
    if (value != null && !(value instanceof String || value instanceof Boolean || value instanceof Integer
        || value instanceof Long || value instanceof Double || value instanceof Float || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger || value instanceof java.math.BigDecimal)) {
      throw OtterbotException.invalid(name + " must be a string, a number or a boolean");
    }
  }

  record StoredMeta(String name, String description, String version, String author, List<String> tools,
      List<String> capabilities, Map<String, StoredParameter> parameters, List<String> tags, String license,
      String compatibility, Map<String, String> metadata, List<String> allowedTools) {

    static StoredMeta of(SkillMeta m) {
      var parameters = new TreeMap<String, StoredParameter>();
      m.parameters().forEach((k, p) -> parameters.put(k, StoredParameter.of(p)));
      return new StoredMeta(m.name(), m.description(), m.version(), m.author(), m.tools(), m.capabilities(),
          parameters, m.tags(), m.license(), m.compatibility(), m.metadata(), m.allowedTools());
    }

    SkillMeta toMeta() {
      var params = new TreeMap<String, SkillParameter>();
      if (parameters != null) {
        parameters.forEach((k, p) -> params.put(k, p == null ? new SkillParameter(null, null, null) : p.toParameter()));
      }
      return new SkillMeta(name, description, version, author, tools, capabilities, params, tags, license,
          compatibility, metadata, allowedTools);
    }
  }

  record StoredParameter(String type, @JsonProperty("default") Object defaultValue, String description) {
    static StoredParameter of(SkillParameter p) {
      return new StoredParameter(p.type(), p.defaultValue(), p.description());
    }

    SkillParameter toParameter() {
      return new SkillParameter(type, defaultValue, description);
    }
  }

  record StoredFinding(String severity, String category, String message, Integer line, String snippet) {
    static StoredFinding of(ScanFinding f) {
      return new StoredFinding(f.severity(), f.category(), f.message(), f.line(), f.snippet());
    }

    ScanFinding toFinding() {
      return new ScanFinding(severity, category, message, line, snippet);
    }
  }
}
