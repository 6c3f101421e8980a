package otterbot.memory.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Memory settings, in {@code <home>/etc/otterbot.memory.cfg}; every attribute has a default. */
@ObjectClassDefinition(
    id = MemoryConfiguration.PID,
    name = "OtterBot memory",
    description = "Agents' memories: quota, ranking, de-duplication and learning at the end of a conversation.")
public @interface MemoryConfiguration {
  String PID = "otterbot.memory";

  @AttributeDefinition(name = "Memories per agent",
      description = "When an agent has this many memories, saving another evicts the least valuable one"
          + " (superseded first, then the least important, least used, longest unused).", min = "1")
  int maxMemoriesPerAgent() default 10_000;

  @AttributeDefinition(name = "Importance half-life (days)",
      description = "Ranking weighs a memory's importance down by half for every this many days it was neither"
          + " updated nor used.", min = "1")
  int importanceHalfLifeDays() default 90;

  @AttributeDefinition(name = "Duplicate similarity",
      description = "A new memory this similar (cosine, 0 to 1) to a current one of the same agent re-confirms it"
          + " instead of adding a duplicate.")
  double duplicateSimilarity() default 0.92;

  @AttributeDefinition(name = "Memories in the prompt",
      description = "Relevant memories injected into each turn's system prompt.", min = "0", max = "20")
  int promptMemories() default 6;

  @AttributeDefinition(name = "Embedding timeout (s)",
      description = "How long one embedding call may take; a memory whose embedding fails is saved without a vector"
          + " and gets one later.", min = "1")
  int embeddingTimeoutSeconds() default 30;

  @AttributeDefinition(name = "Learning model timeout (s)",
      description = "How long each model call of the end-of-conversation learning may take.", min = "1")
  int learningTimeoutSeconds() default 120;

  @AttributeDefinition(name = "Waiting learnings",
      description = "Conversations waiting to be learned from; beyond this a close is dropped with a warning (the"
          + " next close of that conversation catches up).", min = "1")
  int maxQueuedLearnings() default 256;
}
