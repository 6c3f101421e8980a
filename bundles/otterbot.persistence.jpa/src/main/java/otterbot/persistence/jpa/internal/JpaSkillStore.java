package otterbot.persistence.jpa.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;

import otterbot.api.OtterbotException;
import otterbot.api.persistence.SkillStore;
import otterbot.api.skill.ScanFinding;
import otterbot.api.skill.Skill;
import otterbot.api.skill.SkillMeta;

/**
 * The {@code skills} table, in creation order. Timestamps are kept in UTC to the millisecond, as for memories. A stored
 * skill has no {@code contributedBy}: skills that bundles contribute are never stored, and one that claims a bundle is
 * refused.
 *
 * <p>An update replaces the meta, body, source, scan results and update time, and keeps the use count and the creation
 * time: only {@link #used} counts uses, so an edit that read the skill before a use was counted cannot undo the count.
 *
 * <p>Everything is bounded: the body, the meta and the findings by their length, an agent's skills by
 * {@link #MAX_SKILLS_PER_AGENT}, a listing by {@link #MAX_ROWS}, and {@link #used} by {@link #MAX_ROWS} ids, sent in
 * chunks of {@link JpaMemoryStore#CHUNK}.
 */
@Component(service = SkillStore.class)
public final class JpaSkillStore implements SkillStore {
  private static final Logger LOG = LoggerFactory.getLogger(JpaSkillStore.class);

  /** 256 KiB of text: the longest upstream catalog skill is about 30 KB. */
  static final int MAX_BODY_LENGTH = 262_144;
  /** The frontmatter: a description of at most 1024 characters (agentskills.io), a few lists and parameters. */
  static final int MAX_META_LENGTH = 65_536;
  /** A skill with findings of a megabyte is noise, not a skill; the scanner's findings are a few lines each. */
  static final int MAX_FINDINGS_LENGTH = 1_048_576;
  /** More than six times upstream's whole catalog; a listing stays a few hundred megabytes at the very worst. */
  static final int MAX_SKILLS_PER_AGENT = 1_000;
  /** The most rows one listing returns, and the most ids one {@link #used} call takes. */
  static final int MAX_ROWS = 10_000;
  /** Upstream's default name, for a row whose meta cannot be read. */
  static final String UNREADABLE_NAME = "Untitled Skill";

  private final Transactions db;
  private final SkillCodec codec = new SkillCodec();

  /** Held around inserts in this JVM, so that two new skills saved at once cannot both get max(position) + 1. */
  private final Object insertLock = new Object();

  @Activate
  public JpaSkillStore(@Reference Transactions db) {
    this.db = db;
  }

  @Override
  public List<Skill> list(String agentId) {
    if (agentId != null && !Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH)) {
      return List.of();
    }
    String where = agentId == null ? "" : " WHERE s.agentId = :agent";
    return db.read(agentId == null ? "list the skills" : "list the skills of agent '" + agentId + "'", em -> {
      var query = em.createQuery("SELECT s FROM SkillEntity s" + where + " ORDER BY s.position, s.id",
          SkillEntity.class);
      if (agentId != null) {
        query.setParameter("agent", agentId);
      }
      return query.setMaxResults(MAX_ROWS).getResultList().stream().map(this::skill).toList();
    });
  }

  @Override
  public Optional<Skill> get(String id) {
    Objects.requireNonNull(id, "id");
    if (!Validation.fits(id, SkillEntity.ID_LENGTH)) {
      return Optional.empty(); // could never have been stored
    }
    return db.read("read skill '" + id + "'",
        em -> Optional.ofNullable(em.find(SkillEntity.class, id)).map(this::skill));
  }

  @Override
  public void insert(Skill skill) {
    Valid row = valid(skill);
    synchronized (insertLock) {
      db.write("save skill '" + row.id + "'", em -> {
        if (em.find(SkillEntity.class, row.id) != null) {
          // Persisting would fail on the key at commit, which reads as a database failure (503).
          throw OtterbotException.conflict("skill '" + row.id + "' exists already");
        }
        long count = em.createQuery("SELECT COUNT(s) FROM SkillEntity s WHERE s.agentId = :agent", Long.class)
            .setParameter("agent", row.agentId)
            .getSingleResult();
        if (count >= MAX_SKILLS_PER_AGENT) {
          throw OtterbotException.conflict("agent '" + row.agentId + "' has " + count
              + " skills, the most one agent may have; delete one first");
        }
        Long last = em.createQuery("SELECT MAX(s.position) FROM SkillEntity s", Long.class).getSingleResult();
        var entity = new SkillEntity(row.id, row.agentId, last == null ? 1 : last + 1, row.useCount, row.createdAt);
        row.copyTo(entity);
        em.persist(entity);
        return null;
      });
    }
  }

  /** Only a skill of the same agent is replaced: the id alone must not move a skill to another agent. */
  @Override
  public boolean update(Skill skill) {
    Valid row = valid(skill);
    return db.write("update skill '" + row.id + "'", em -> {
      SkillEntity entity = em.find(SkillEntity.class, row.id);
      if (entity == null || !entity.agentId().equals(row.agentId)) {
        return false;
      }
      row.copyTo(entity);
      return true;
    });
  }

  /** One UPDATE per chunk of ids, all in one transaction; an id given twice counts once, an unknown one not at all. */
  @Override
  public void used(Collection<String> ids) {
    Set<String> distinct = new LinkedHashSet<>();
    for (String id : Objects.requireNonNull(ids, "ids")) {
      if (id == null) {
        throw OtterbotException.invalid("skill id is missing");
      }
      if (Validation.fits(id, SkillEntity.ID_LENGTH)) {
        distinct.add(id);
      }
    }
    if (distinct.size() > MAX_ROWS) {
      throw OtterbotException.invalid("too many skill ids at once (" + distinct.size() + ", at most " + MAX_ROWS + ")");
    }
    if (distinct.isEmpty()) {
      return;
    }
    List<String> all = List.copyOf(distinct);
    db.write("record the use of " + all.size() + " skills", em -> {
      for (int i = 0; i < all.size(); i += JpaMemoryStore.CHUNK) {
        em.createQuery("UPDATE SkillEntity s SET s.useCount = s.useCount + 1 WHERE s.id IN :ids")
            .setParameter("ids", all.subList(i, Math.min(all.size(), i + JpaMemoryStore.CHUNK)))
            .executeUpdate();
      }
      return null;
    });
  }

  @Override
  public boolean delete(String agentId, String id) {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(id, "id");
    if (!Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH)
        || !Validation.fits(id, SkillEntity.ID_LENGTH)) {
      return false;
    }
    return db.write("delete skill '" + id + "'", em -> em
        .createQuery("DELETE FROM SkillEntity s WHERE s.id = :id AND s.agentId = :agent")
        .setParameter("id", id)
        .setParameter("agent", agentId)
        .executeUpdate() > 0);
  }

  @Override
  public int deleteAll(String agentId) {
    Objects.requireNonNull(agentId, "agentId");
    if (!Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH)) {
      return 0;
    }
    return db.write("delete the skills of agent '" + agentId + "'", em -> em
        .createQuery("DELETE FROM SkillEntity s WHERE s.agentId = :agent")
        .setParameter("agent", agentId)
        .executeUpdate());
  }

  // ------------------------------------------------------------------------------------------------------ values

  /** A skill checked and converted to column values. */
  private record Valid(String id, String agentId, String meta, String body, String source, String scanStatus,
      String findings, int useCount, LocalDateTime createdAt, LocalDateTime updatedAt) {
    void copyTo(SkillEntity entity) {
      entity.update(meta, body, source, scanStatus, findings, updatedAt);
    }
  }

  private Valid valid(Skill s) {
    Objects.requireNonNull(s, "skill");
    String id = Validation.validKey("skill id", s.id(), SkillEntity.ID_LENGTH);
    String what = "skill '" + id + "'";
    String agent = Validation.validKey("agent of " + what, s.agentId(), JpaConversationStore.MAX_AGENT_ID_LENGTH);
    if (s.contributedBy() != null) {
      throw OtterbotException.invalid(what + " is contributed by bundle '" + s.contributedBy()
          + "' and is not stored");
    }
    SkillMeta meta = s.meta();
    if (meta == null) {
      throw OtterbotException.invalid("meta of " + what + " is missing");
    }
    if (meta.name() == null || meta.name().isBlank()) {
      throw OtterbotException.invalid("name of " + what + " is missing");
    }
    String metaJson = Validation.validText("meta of " + what, codec.encode(what, meta), MAX_META_LENGTH);
    String body = Validation.validText("body of " + what, s.body(), MAX_BODY_LENGTH);
    String source = Validation.validKey("source of " + what, s.source(), SkillEntity.SOURCE_LENGTH);
    String status = Validation.validKey("scan status of " + what, s.scanStatus(), SkillEntity.SCAN_STATUS_LENGTH);
    String findings =
        Validation.validText("scan findings of " + what, codec.encode(s.scanFindings()), MAX_FINDINGS_LENGTH);
    if (s.useCount() < 0) {
      throw OtterbotException.invalid("use count of " + what + " must not be negative");
    }
    return new Valid(id, agent, metaJson, body, source, status, findings, s.useCount(),
        JpaMemoryStore.utc(required("creation time of " + what, s.createdAt())),
        JpaMemoryStore.utc(required("update time of " + what, s.updatedAt())));
  }

  private Skill skill(SkillEntity row) {
    return new Skill(row.id(), row.agentId(), meta(row), row.body(), row.source(), row.scanStatus(), findings(row),
        row.useCount(), JpaMemoryStore.instant(row.createdAt()), JpaMemoryStore.instant(row.updatedAt()), null);
  }

  /**
   * A damaged meta (edited by hand) must not hide the skill, which could then not even be deleted: it reads as
   * upstream's defaults, named {@link #UNREADABLE_NAME}.
   */
  private SkillMeta meta(SkillEntity row) {
    try {
      return codec.meta(row.metaJson());
    } catch (JsonProcessingException | RuntimeException e) {
      LOG.error("The meta of skill '{}' cannot be read; it is listed as '{}': {}", row.id(), UNREADABLE_NAME,
          e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.toString());
      return new SkillMeta(UNREADABLE_NAME, "", "1.0.0", "", null, null, null, null, null, null, null, null);
    }
  }

  /** Damaged findings read as none; the scan status, a column of its own, still says what the scan found. */
  private List<ScanFinding> findings(SkillEntity row) {
    try {
      return codec.findings(row.scanFindings());
    } catch (JsonProcessingException | RuntimeException e) {
      LOG.error("The scan findings of skill '{}' cannot be read and are left out: {}", row.id(),
          e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.toString());
      return List.of();
    }
  }

  private static Instant required(String name, Instant value) {
    if (value == null) {
      throw OtterbotException.invalid(name + " is missing");
    }
    return value;
  }
}
