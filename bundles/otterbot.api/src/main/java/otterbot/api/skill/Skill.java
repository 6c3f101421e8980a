package otterbot.api.skill;

import java.time.Instant;
import java.util.List;

/**
 * A skill of an agent (upstream §3.5 Skill, plus its agent).
 *
 * @param source {@code builtin} (installed from the catalog), {@code authored} or {@code imported}
 * @param scanStatus {@code clean}, {@code warnings}, {@code errors} or {@code unscanned}
 * @param contributedBy the symbolic name of the bundle that contributes the skill, or null for a stored one
 */
public record Skill(String id, String agentId, SkillMeta meta, String body, String source, String scanStatus,
    List<ScanFinding> scanFindings, int useCount, Instant createdAt, Instant updatedAt, String contributedBy) {
  public Skill {
    scanFindings = scanFindings == null ? List.of() : List.copyOf(scanFindings);
  }
}
