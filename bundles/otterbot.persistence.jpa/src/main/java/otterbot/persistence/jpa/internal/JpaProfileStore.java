package otterbot.persistence.jpa.internal;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import otterbot.api.OtterbotException;
import otterbot.api.persistence.ConversationLearning;
import otterbot.api.persistence.ProfileStore;

/** The {@code user_profiles} and {@code conversation_learning} tables. */
@Component(service = ProfileStore.class)
public final class JpaProfileStore implements ProfileStore {
  private static final Logger LOG = LoggerFactory.getLogger(JpaProfileStore.class);

  /** A profile is a handful of facts; a megabyte is far more than any learning loop writes. */
  static final int MAX_PROFILE_LENGTH = 1_000_000;
  static final int MAX_SUMMARY_LENGTH = 100_000;
  static final int MAX_KEY_POINTS_LENGTH = 100_000;

  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private final Transactions db;
  private final ObjectMapper mapper = JsonMapper.builder().build();

  /** Held around upserts, so that two first writes for one key in this JVM cannot both try to insert it. */
  private final Object insertLock = new Object();

  @Activate
  public JpaProfileStore(@Reference Transactions db) {
    this.db = db;
  }

  @Override
  public Optional<String> profile(String agentId) {
    Objects.requireNonNull(agentId, "agentId");
    if (!Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH)) {
      return Optional.empty();
    }
    return db.read("read the user profile of agent '" + agentId + "'",
        em -> Optional.ofNullable(em.find(UserProfileEntity.class, agentId)).map(UserProfileEntity::profileJson));
  }

  /** The JSON must parse: a damaged document stored here would break every later read of the profile. */
  @Override
  public void putProfile(String agentId, String json) {
    String agent = Validation.validKey("agent id", agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH);
    String what = "user profile of agent '" + agent + "'";
    Validation.validText(what, json, MAX_PROFILE_LENGTH);
    try {
      mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw OtterbotException.invalid(what + " is not JSON: " + e.getOriginalMessage());
    }
    if (json.isBlank()) {
      throw OtterbotException.invalid(what + " is missing");
    }
    var now = JpaMemoryStore.utc(Instant.now());
    synchronized (insertLock) {
      db.write("save the " + what, em -> {
        UserProfileEntity row = em.find(UserProfileEntity.class, agent);
        if (row == null) {
          row = new UserProfileEntity(agent);
          row.update(json, now);
          em.persist(row);
        } else {
          row.update(json, now);
        }
        return null;
      });
    }
  }

  @Override
  public Optional<ConversationLearning> learning(String conversationId) {
    Objects.requireNonNull(conversationId, "conversationId");
    if (!Validation.fits(conversationId, ConversationEntity.ID_LENGTH)) {
      return Optional.empty();
    }
    return db.read("read what was learned from conversation '" + conversationId + "'",
        em -> Optional.ofNullable(em.find(ConversationLearningEntity.class, conversationId)).map(this::learning));
  }

  /** A conversation belongs to one agent: a record of another agent's conversation is not replaced (409). */
  @Override
  public void putLearning(ConversationLearning learning) {
    Objects.requireNonNull(learning, "learning");
    String conversation =
        Validation.validKey("conversation id", learning.conversationId(), ConversationEntity.ID_LENGTH);
    String what = "learning of conversation '" + conversation + "'";
    String agent =
        Validation.validKey("agent of " + what, learning.agentId(), JpaConversationStore.MAX_AGENT_ID_LENGTH);
    if (learning.learnedMessages() < 0) {
      throw OtterbotException.invalid("learned messages of " + what + " must not be negative");
    }
    String summary = Validation.validText("summary of " + what, learning.summary(), MAX_SUMMARY_LENGTH);
    String keyPoints =
        Validation.validText("key points of " + what, json(learning.keyPoints()), MAX_KEY_POINTS_LENGTH);
    if (learning.updatedAt() == null) {
      throw OtterbotException.invalid("update time of " + what + " is missing");
    }
    var updatedAt = JpaMemoryStore.utc(learning.updatedAt());
    synchronized (insertLock) {
      db.write("save the " + what, em -> {
        ConversationLearningEntity row = em.find(ConversationLearningEntity.class, conversation);
        if (row == null) {
          row = new ConversationLearningEntity(conversation, agent);
          row.update(learning.learnedMessages(), summary, keyPoints, updatedAt);
          em.persist(row);
        } else if (!row.agentId().equals(agent)) {
          throw OtterbotException.conflict("conversation '" + conversation + "' belongs to another agent");
        } else {
          row.update(learning.learnedMessages(), summary, keyPoints, updatedAt);
        }
        return null;
      });
    }
  }

  @Override
  public int deleteAll(String agentId) {
    Objects.requireNonNull(agentId, "agentId");
    if (!Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH)) {
      return 0;
    }
    return db.write("delete the user profile and learning of agent '" + agentId + "'", em -> em
        .createQuery("DELETE FROM UserProfileEntity p WHERE p.agentId = :agent")
        .setParameter("agent", agentId)
        .executeUpdate()
        + em.createQuery("DELETE FROM ConversationLearningEntity l WHERE l.agentId = :agent")
            .setParameter("agent", agentId)
            .executeUpdate());
  }

  private ConversationLearning learning(ConversationLearningEntity row) {
    List<String> keyPoints;
    try {
      keyPoints = mapper.readValue(row.keyPoints(), STRINGS);
    } catch (JsonProcessingException e) {
      // A damaged list (edited by hand) must not hide how far learning got, which keeps it from repeating itself.
      LOG.error("The key points learned from conversation '{}' cannot be read and are left out: {}",
          row.conversationId(), e.getOriginalMessage());
      keyPoints = List.of();
    }
    return new ConversationLearning(row.conversationId(), row.agentId(), row.learnedMessages(), row.summary(),
        keyPoints, JpaMemoryStore.instant(row.updatedAt()));
  }

  private String json(List<String> strings) {
    try {
      return mapper.writeValueAsString(strings);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a list of strings cannot be written as JSON", e);
    }
  }
}
