package otterbot.api.skill;

/** One entry of a skill's {@code parameters} (upstream §3.5): a type, an optional default and description. */
public record SkillParameter(String type, Object defaultValue, String description) {}
