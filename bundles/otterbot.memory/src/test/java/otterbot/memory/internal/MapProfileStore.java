package otterbot.memory.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import otterbot.api.persistence.ConversationLearning;
import otterbot.api.persistence.ProfileStore;

/** A ProfileStore in maps. */
final class MapProfileStore implements ProfileStore {
  final Map<String, String> profiles = new ConcurrentHashMap<>();
  final Map<String, ConversationLearning> learnings = new ConcurrentHashMap<>();
  final java.util.concurrent.atomic.AtomicInteger profileReads = new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public Optional<String> profile(String agentId) {
    profileReads.incrementAndGet();
    return Optional.ofNullable(profiles.get(agentId));
  }

  @Override
  public void putProfile(String agentId, String json) {
    profiles.put(agentId, json);
  }

  @Override
  public Optional<ConversationLearning> learning(String conversationId) {
    return Optional.ofNullable(learnings.get(conversationId));
  }

  @Override
  public void putLearning(ConversationLearning learning) {
    learnings.put(learning.conversationId(), learning);
  }

  @Override
  public int deleteAll(String agentId) {
    int n = profiles.remove(agentId) != null ? 1 : 0;
    var ids = learnings.values().stream().filter(l -> l.agentId().equals(agentId)).map(ConversationLearning::conversationId)
        .toList();
    ids.forEach(learnings::remove);
    return n + ids.size();
  }
}
