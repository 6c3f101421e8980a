package otterbot.core.internal.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;

class AgentRulesTest {
  static final ModelRef LOCAL = new ModelRef("lmstudio", "local-model");
  static final AgentModels DEFAULTS = new AgentModels(LOCAL, LOCAL);
  static final Instant NOW = Instant.parse("2026-11-28T10:15:30.123456Z");

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Api Agent|api-agent",
      "Test Agent|test-agent",
      "  Ünïcödé Bot!! |n-c-d-bot",
      "!!!|agent",
      "COO|coo-2",
      "a very long display name that goes on and on beyond forty characters|a-very-long-display-name-that-goes-on-an"})
  void slugsFollowUpstream(String name, String expected) {
    assertEquals(expected, AgentRules.slug(name, Set.of("coo")::contains));
  }

  @Test
  void takenSlugsGetANumber() {
    assertEquals("api-agent-3", AgentRules.slug("Api Agent", Set.of("api-agent", "api-agent-2")::contains));
  }

  @Test
  void slugsNeverEndWithADashAfterCutting() {
    String id = AgentRules.slug("x".repeat(39) + " y", id2 -> false);
    assertEquals("x".repeat(39), id);
  }

  @Test
  void createFillsUpstreamDefaults() {
    AgentProfile p = AgentRules.create("api-agent", AgentInput.named(" Api Agent "), DEFAULTS, id -> false, NOW);
    assertEquals("Api Agent", p.displayName());
    assertEquals("agent", p.role());
    assertEquals("", p.persona());
    assertEquals(DEFAULTS, p.model());
    assertEquals(List.of(new ModelRef("lmstudio", "*")), p.allowedModels());
    assertEquals(List.of("web"), p.allowedChatServices());
    assertEquals("local", p.transport());
    assertNull(p.email());
    assertEquals(new Artwork("prototype-pete"), p.artwork());
    assertTrue(p.canSpawnSubagents());
    assertEquals(5, p.subagentLimit());
    assertNull(p.parentId());
    assertEquals(Instant.parse("2026-11-28T10:15:30.123Z"), p.createdAt(), "millisecond precision, like toISOString");
  }

  @Test
  void aMissingEmbeddingModelBecomesTheChatModelAndBothProvidersAreAllowed() {
    var chat = new ModelRef("openai", "gpt-4o");
    var in = new AgentInput(null, "X", null, null, new AgentModels(chat, null), null, null, null, null, null, null,
        null, null, null);
    AgentProfile p = AgentRules.create("x", in, DEFAULTS, id -> false, NOW);
    assertEquals(chat, p.model().embedding());
    var mixed = new AgentInput(null, "X", null, null, new AgentModels(chat, LOCAL), null, null, null, null, null,
        null, null, null, null);
    assertEquals(List.of(new ModelRef("openai", "*"), new ModelRef("lmstudio", "*")),
        AgentRules.create("x", mixed, DEFAULTS, id -> false, NOW).allowedModels());
  }

  @Test
  void subagentsCannotSpawnByDefault() {
    var in = new AgentInput(null, "Sub", "subagent", null, null, null, null, null, null, null, null, null, null, null);
    assertFalse(AgentRules.create("sub", in, DEFAULTS, id -> false, NOW).canSpawnSubagents());
  }

  @Test
  void updateIsAShallowMergeThatKeepsIdAndCreation() {
    AgentProfile p = AgentRules.create("a", AgentInput.named("A"), DEFAULTS, id -> false, NOW);
    var chat = new ModelRef("openai", "gpt-4o");
    var patch = new AgentInput("other-id", null, null, "an updated persona", new AgentModels(chat, null), null, null,
        null, "me@example.com", null, null, 2, null, Instant.EPOCH);
    AgentProfile u = AgentRules.update(p, patch, id -> false);
    assertEquals("a", u.id());
    assertEquals(p.createdAt(), u.createdAt());
    assertEquals("an updated persona", u.persona());
    assertEquals(new AgentModels(chat, chat), u.model(), "the embedding follows the chat model, as upstream");
    assertEquals("me@example.com", u.email());
    assertEquals(2, u.subagentLimit());
    assertEquals("A", u.displayName());
  }

  @Test
  void theCooKeepsItsRole() {
    AgentProfile coo = AgentRules.coo(DEFAULTS, NOW);
    var patch = new AgentInput(null, null, "agent", null, null, null, null, null, null, null, null, null, null, null);
    assertEquals("the COO's role cannot be changed",
        assertThrows(OtterbotException.class, () -> AgentRules.update(coo, patch, id -> true)).getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "role|coo|role 'coo' is reserved for the built-in COO",
      "role|boss|role must be 'agent' or 'subagent'",
      "transport|pigeon|transport must be one of discord, local",
      "email|not-an-email|email is not a valid address",
      "modelPack|../../etc/passwd|artwork.modelPack must be a model pack id (letters, digits, '.', '_', '-')",
      "parentId|ghost|parentId 'ghost' is not a known agent"})
  void badFieldsAreRejectedWithTheFieldNamed(String field, String value, String message) {
    var in = new AgentInput(null, "X",
        field.equals("role") ? value : null, null, null, null, null,
        field.equals("transport") ? value : null,
        field.equals("email") ? value : null,
        field.equals("modelPack") ? new Artwork(value) : null, null, null,
        field.equals("parentId") ? value : null, null);
    var e = assertThrows(OtterbotException.class, () -> AgentRules.create("x", in, DEFAULTS, id -> false, NOW));
    assertEquals(OtterbotException.Kind.INVALID, e.kind());
    assertEquals(message, e.getMessage());
  }

  @Test
  void oversizedAndControlCharacterInputIsRejected() {
    assertThrows(OtterbotException.class,
        () -> AgentRules.create("x", AgentInput.named("x".repeat(101)), DEFAULTS, id -> false, NOW));
    assertThrows(OtterbotException.class,
        () -> AgentRules.create("x", AgentInput.named("bad\u0000name"), DEFAULTS, id -> false, NOW));
    var persona = new AgentInput(null, "X", null, "p".repeat(100_001), null, null, null, null, null, null, null, null,
        null, null);
    assertEquals("persona is longer than 100000 characters",
        assertThrows(OtterbotException.class, () -> AgentRules.create("x", persona, DEFAULTS, id -> false, NOW)).getMessage());
    var limit = new AgentInput(null, "X", null, null, null, null, null, null, null, null, null, -1, null, null);
    assertThrows(OtterbotException.class, () -> AgentRules.create("x", limit, DEFAULTS, id -> false, NOW));
    var wildcard = new AgentInput(null, "X", null, null, new AgentModels(new ModelRef("openai", "*"), null), null, null,
        null, null, null, null, null, null, null);
    assertThrows(OtterbotException.class, () -> AgentRules.create("x", wildcard, DEFAULTS, id -> false, NOW));
  }

  @Test
  void onlySlugLikeIdsAreValid() {
    assertTrue(AgentRules.isValidId("coo"));
    assertTrue(AgentRules.isValidId("coo__sub__1"));
    assertFalse(AgentRules.isValidId("../etc"));
    assertFalse(AgentRules.isValidId("UPPER"));
    assertFalse(AgentRules.isValidId(""));
    assertFalse(AgentRules.isValidId("a".repeat(200)));
  }
}
