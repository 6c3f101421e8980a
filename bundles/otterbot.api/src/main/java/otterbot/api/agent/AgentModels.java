package otterbot.api.agent;

/** The chat and embedding model of an agent. Either may be null in input; profiles are always complete. */
public record AgentModels(ModelRef chat, ModelRef embedding) {}
