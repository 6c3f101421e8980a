package otterbot.skills.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Skill settings, in {@code <home>/etc/otterbot.skills.cfg}; every attribute has a default. */
@ObjectClassDefinition(
    id = SkillsConfiguration.PID,
    name = "OtterBot skills",
    description = "Where catalog skills are fetched from, which addresses fetching may reach, and bounds.")
public @interface SkillsConfiguration {
  String PID = "otterbot.skills";

  @AttributeDefinition(name = "Catalog base URL",
      description = "Catalog skills are fetched from <base>/<skills|optional-skills>/<category>/<id>/SKILL.md.")
  String catalogBaseUrl() default "https://raw.githubusercontent.com/NousResearch/hermes-agent/main";

  @AttributeDefinition(name = "Allowed private addresses",
      description = "Addresses (CIDR, e.g. 127.0.0.1/32) or host names that fetching may reach although they are"
          + " loopback, private or link-local; empty: none. Only for skills served on your own network.")
  String[] fetchAllow() default {};

  @AttributeDefinition(name = "Fetch timeout (s)", description = "How long one fetch may take in all.", min = "1")
  int fetchTimeoutSeconds() default 10;

  @AttributeDefinition(name = "Skills per agent", description = "The most stored skills one agent may have (the"
      + " store's own bound is 1000).", min = "1", max = "1000")
  int maxSkillsPerAgent() default 500;

  @AttributeDefinition(name = "Skills in the prompt",
      description = "Relevant skills applied (injected whole) into each turn's system prompt.", min = "0", max = "10")
  int promptSkills() default 3;
}
