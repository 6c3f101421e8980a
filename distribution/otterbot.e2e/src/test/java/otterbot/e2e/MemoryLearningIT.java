package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.ChatFixtures.COMPAT;
import static otterbot.e2e.ChatFixtures.FAKE_MODEL;
import static otterbot.e2e.ChatFixtures.marker;
import static otterbot.e2e.MemoryIT.createAgent;
import static otterbot.e2e.MemoryIT.enc;
import static otterbot.e2e.MemoryIT.ids;
import static otterbot.e2e.MemoryIT.memories;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/**
 * An agent learns from a conversation when it ends (upstream-behaviour §7.4, /work/notes/learning-protocol.md): a real
 * server whose agents chat through a {@link FakeModelServer} on loopback, over Socket.IO with the Java client. The fake
 * answers the three learning requests (summary, facts, profile) by the first line of their system prompt, with replies
 * scripted per test and chosen by a marker word the test's chat message carries (the transcript holds it); any other
 * request gets its last user message echoed, as a chat model would answer.
 *
 * <p>What a user notices: after {@code chat:close} the facts appear in the agent's memories with source "agent" and the
 * profile shows what was learned; closing again costs no model call; a contradicted memory is marked superseded and
 * no longer found; a repeated fact is not stored twice; a model that answers nonsense spoils nothing; "remember that
 * ..." is kept at once; an agent with {@code autoLearn} off, or on the built-in offline model, learns nothing.
 *
 * <p>Closes are handled one after the other, so where a test must show that nothing happened it closes a
 * <em>sentinel</em> conversation afterwards and waits until that one was learned from.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemoryLearningIT {
  static final String SUMMARY_PROMPT = "You summarise a conversation between a user and an AI agent.";
  static final String FACTS_PROMPT = "You extract durable facts about the user from a conversation.";
  static final String PROFILE_PROMPT = "You maintain a profile of the user.";
  static final List<String> LEARNING_PROMPTS = List.of(SUMMARY_PROMPT, FACTS_PROMPT, PROFILE_PROMPT);
  static final String SKILL_PROMPT = "You decide whether a conversation taught a reusable skill.";
  /** The skill replies, by marker; SKIP for every other conversation. */
  static final Map<String, String> SKILLS = new ConcurrentHashMap<>();
  /** How long learning may take after a close (the brief's "within about 15 s"). */
  static final Duration LEARNED_WITHIN = Duration.ofSeconds(15);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static FakeModelServer fake;

  /** The facts and profile replies, by the marker of the conversation they answer. */
  record Script(String facts, String profile) {}

  static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();
  static final Script NOTHING = new Script("[]", "{}");

  private final List<ChatClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    fake = FakeModelServer.start();
    fake.respond(MemoryLearningIT::answer);
    server = ServerProcess.start(tmp.resolve("home"));
    server.http().expect(server.http().put("/api/settings/global", settings(COMPAT, FAKE_MODEL)), 200);
  }

  /** Chat with this default model; embed with the server's own offline model (never the fake). */
  static ObjectNode settings(String chatProvider, String chatModel) {
    ObjectNode settings = Http.JSON.createObjectNode();
    settings.put("theme", "obsidian");
    settings.putObject("defaultChatModel").put("provider", chatProvider).put("modelId", chatModel);
    settings.putObject("defaultEmbeddingModel").put("provider", "builtin").put("modelId", "offline");
    settings.putObject("providers").putObject(COMPAT).put("baseUrl", fake.baseUrl());
    return settings;
  }

  @AfterAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(ChatClient::close);
  }

  static Reply answer(RecordedRequest request) {
    if (request.isEmbeddings()) {
      return Reply.embeddings();
    }
    if (!request.isChat()) {
      return Reply.models(FAKE_MODEL);
    }
    String prompt = firstLine(request.system());
    String user = request.lastUserText();
    Script script = SCRIPTS.entrySet().stream().filter(e -> user.contains(e.getKey())).map(Map.Entry::getValue)
        .findFirst().orElse(NOTHING);
    if (prompt.equals(SUMMARY_PROMPT)) {
      return Reply.text("SUMMARY:\nThe user talked about their life.\n\nKEY_POINTS:\n[\"personal details\"]");
    }
    if (prompt.equals(FACTS_PROMPT)) {
      return Reply.text(script.facts());
    }
    if (prompt.equals(PROFILE_PROMPT)) {
      return Reply.text(script.profile());
    }
    if (prompt.equals(SKILL_PROMPT)) {
      return Reply.text(SKILLS.entrySet().stream().filter(e -> user.contains(e.getKey())).map(Map.Entry::getValue)
          .findFirst().orElse("SKIP"));
    }
    return FakeModelServer.echo(request);
  }

  static String firstLine(String text) {
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }

  /** The learning requests (any of the three) whose transcript holds {@code marker}. */
  static List<RecordedRequest> learningRequests(String marker) {
    return fake.requests().stream().filter(r -> r.isChat() && LEARNING_PROMPTS.contains(firstLine(r.system()))
        && r.lastUserText().contains(marker)).toList();
  }

  // -------------------------------------------------------------------------------------------------- helpers

  /** A connected client that has joined the agent's conversation and had one turn. */
  ChatClient converse(String agent, String text) throws InterruptedException {
    JavaChat client = JavaChat.connect(server, "websocket");
    clients.add(client);
    client.join(agent, null);
    client.chat(agent, text).withoutErrors();
    return client;
  }

  static void close(ChatClient client, String agent) {
    client.emit("chat:close", Http.JSON.createObjectNode().put("agentId", agent));
  }

  static JsonNode list(String agent) {
    return server.http().expect(server.http().get(memories(agent)), 200);
  }

  static JsonNode profile(String agent) {
    return server.http().expect(server.http().get("/api/user-profile?agentId=" + agent), 200);
  }

  static JsonNode withContent(JsonNode list, String content) {
    for (JsonNode m : list) {
      if (m.path("content").asText().equals(content)) {
        return m;
      }
    }
    return null;
  }

  /** Waits until the agent lists a memory with exactly this content, and returns it. */
  static JsonNode awaitMemory(String agent, String content) {
    server.eventually("the memory '" + content + "' of " + agent, LEARNED_WITHIN,
        () -> withContent(list(agent), content) != null, () -> list(agent).toString());
    return withContent(list(agent), content);
  }

  /**
   * Closes a conversation of a fresh agent that learns one fact and waits until it is listed: every close sent
   * before has then been handled (closes are learned from one after the other).
   */
  void sentinel() throws InterruptedException {
    String m = marker("sentinel");
    String agent = createAgent(server.http(), "Sentinel " + m);
    SCRIPTS.put(m, new Script("[{\"content\":\"The sentinel fact " + m + "\",\"category\":\"fact\"}]", "{}"));
    ChatClient client = converse(agent, "Nothing much to say. " + m);
    close(client, agent);
    awaitMemory(agent, "The sentinel fact " + m);
  }

  static boolean isEmptyProfile(JsonNode p) {
    return p.path("name").isNull() && p.path("preferences").isEmpty() && p.path("goals").isEmpty()
        && p.path("facts").isEmpty() && p.path("notes").asText().isEmpty();
  }

  // ---------------------------------------------------------------------------------------------------- tests

  /** A conversation of four messages or more may teach a skill: the agent's model writes it, the agent has it. */
  @Test
  void aLongerConversationCanTeachTheAgentASkill() throws InterruptedException {
    String m = marker("skill");
    String agent = createAgent(server.http(), "Skill Learner " + m);
    SKILLS.put(m, "{\"name\":\"weekly-report\",\"description\":\"Write the weekly report\",\"body\":\"1. Collect the"
        + " numbers.\\n2. Write one page.\",\"tags\":[\"work\"]}");
    JavaChat client = JavaChat.connect(server, "websocket");
    clients.add(client);
    client.join(agent, null);
    client.chat(agent, "How do I write the weekly report? " + m).withoutErrors();
    client.chat(agent, "Collect the numbers first, then one page. " + m).withoutErrors();
    close(client, agent);
    server.eventually("the learned skill", LEARNED_WITHIN, () -> server.http().expect(server.http()
        .get("/api/agents/" + agent + "/skills"), 200).size() == 1, () -> server.http()
        .get("/api/agents/" + agent + "/skills").toString());
    JsonNode skill = server.http().expect(server.http().get("/api/agents/" + agent + "/skills"), 200).get(0);
    assertEquals("weekly-report", skill.path("meta").path("name").asText());
    assertEquals("authored", skill.path("source").asText());
    assertEquals("clean", skill.path("scanStatus").asText());
  }

  @Test
  void closingAConversationLearnsTheFactsAndTheProfileAndClosingAgainLearnsNothingNew() throws Exception {
    String m = marker("learn");
    String agent = createAgent(server.http(), "Learner " + m);
    SCRIPTS.put(m, new Script("""
        Here is what I found:
        ```json
        [{"content":"The user lives in Lyon","category":"fact","importance":8,"entities":["Lyon"],"temporal":"current","supersedes":null},
         {"content":"The user prefers short answers","category":"preference","importance":6,"entities":[],"temporal":"current"},
         {"content":"The user works night shifts","category":"gossip","importance":99},
         {"content":""},
         {"content":42,"category":"fact"},
         {"category":"fact","importance":3}]
        ```""", """
        {"name":"Sam","preferences":[{"content":"short answers","confidence":7,"contradicted":false}],
         "goals":[{"content":"run a marathon","confidence":5,"contradicted":false}],
         "facts":[{"content":"lives in Lyon","confidence":8,"contradicted":false},{"content":"no confidence"}],
         "notes":"Talks about running."}"""));
    ChatClient client = converse(agent, "Hi, I'm Sam. I live in Lyon, work night shifts and train for a marathon. "
        + "Keep answers short please. " + m);
    assertTrue(list(agent).isEmpty(), "nothing is learned before the conversation ends");
    assertEquals(List.of(), learningRequests(m), "no learning request before the close");

    close(client, agent);
    JsonNode lyon = awaitMemory(agent, "The user lives in Lyon");
    JsonNode shortAnswers = awaitMemory(agent, "The user prefers short answers");
    JsonNode nights = awaitMemory(agent, "The user works night shifts");
    assertEquals("agent", lyon.path("source").asText(), () -> lyon.toString());
    assertEquals("fact", lyon.path("category").asText());
    assertEquals(8, lyon.path("importance").asInt());
    assertEquals("[\"Lyon\"]", lyon.path("entityRefs").toString());
    assertEquals("current", lyon.path("temporalMarker").asText());
    assertEquals("preference", shortAnswers.path("category").asText());
    assertEquals("agent", shortAnswers.path("source").asText());
    assertEquals("general", nights.path("category").asText(), "an unknown category becomes general");
    assertEquals(10, nights.path("importance").asInt(), "an importance above 10 is clamped");
    server.eventually("the user profile learned", LEARNED_WITHIN, () -> "Sam".equals(profile(agent).path("name").asText()),
        () -> profile(agent).toString());
    JsonNode p = profile(agent);
    assertEquals("[\"short answers\"]", contents(p.path("preferences")), () -> p.toString());
    assertEquals("[\"run a marathon\"]", contents(p.path("goals")), () -> p.toString());
    assertEquals("[\"lives in Lyon\"]", contents(p.path("facts")), () -> "an item without confidence is dropped: " + p);
    assertEquals("Talks about running.", p.path("notes").asText());
    assertFalse(p.path("facts").get(0).path("contradicted").asBoolean(true));
    assertEquals(3, list(agent).size(), () -> "items without string content are dropped: " + list(agent));
    assertEquals(List.of(SUMMARY_PROMPT, FACTS_PROMPT, PROFILE_PROMPT),
        learningRequests(m).stream().map(r -> firstLine(r.system())).toList(), "one request per step, in order");
    assertTrue(learningRequests(m).stream().allMatch(r -> r.model().equals(FAKE_MODEL)), "the agent's own model");
    assertTrue(profile("coo").path("name").isNull(), "the COO's profile is its own");

    JsonNode found = server.http().expect(server.http().get("/api/memories?agentId=" + agent + "&q="
        + enc("which town is the user based in") + "&limit=3"), 200);
    assertTrue(ids(found).contains(lyon.path("id").asText()), () -> "a learned fact is found by meaning: " + found);

    close(client, agent);
    sentinel();
    assertEquals(3, learningRequests(m).size(), () -> "a second close with nothing new asked the model again: "
        + learningRequests(m).stream().map(r -> firstLine(r.system())).toList());
    assertEquals(3, list(agent).size(), () -> list(agent).toString());
  }

  @Test
  void aFactThatSupersedesAMemoryMarksItAndSearchNoLongerFindsIt() throws Exception {
    String m = marker("supersede");
    Http http = server.http();
    String agent = createAgent(http, "Colour " + m);
    JsonNode blue = http.expect(http.post(memories(agent), "{\"content\":\"The user's favourite colour is blue\","
        + "\"category\":\"preference\"}"), 200);
    String blueId = blue.path("id").asText();
    SCRIPTS.put(m, new Script("[{\"content\":\"The user's favourite colour is green\",\"category\":\"preference\","
        + "\"importance\":7,\"supersedes\":\"" + blueId + "\"}]", "{}"));

    ChatClient client = converse(agent, "My favourite colour is green now, not blue any more. " + m);
    close(client, agent);
    JsonNode green = awaitMemory(agent, "The user's favourite colour is green");

    RecordedRequest facts = learningRequests(m).stream().filter(r -> firstLine(r.system()).equals(FACTS_PROMPT))
        .findFirst().orElseThrow();
    assertTrue(facts.lastUserText().contains("[" + blueId + "] The user's favourite colour is blue"),
        () -> "the facts request shows the memory it may supersede, by id:\n" + facts.lastUserText());
    JsonNode old = withContent(list(agent), "The user's favourite colour is blue");
    assertEquals(green.path("id").asText(), old == null ? null : old.path("supersededBy").asText(null),
        () -> "the old memory stays listed, marked superseded: " + list(agent));
    assertFalse(green.has("supersededBy"), () -> green.toString());
    JsonNode hits = http.expect(http.get("/api/memories?agentId=" + agent + "&q=" + enc("favourite colour")), 200);
    assertFalse(ids(hits).contains(blueId), () -> "a superseded memory is never found: " + hits);
    assertTrue(ids(hits).contains(green.path("id").asText()), () -> hits.toString());
  }

  /**
   * Issue 9: an agent whose {@code model.embedding} names an OpenAI-compatible provider embeds its memories and its
   * searches there, not with the built-in model (which the global settings here name).
   */
  @Test
  void anAgentWhoseEmbeddingModelIsAProviderEmbedsThroughThatEndpoint() {
    String m = marker("embed");
    Http http = server.http();
    ObjectNode body = Http.JSON.createObjectNode().put("displayName", "Embedder " + m);
    ObjectNode model = body.putObject("model");
    model.putObject("chat").put("provider", COMPAT).put("modelId", FAKE_MODEL);
    model.putObject("embedding").put("provider", COMPAT).put("modelId", "fake-embed-" + m);
    String agent = http.expect(http.post("/api/agents", body), 200).path("id").asText();

    String fact = "The user's sailing boat is called Seagull " + m;
    http.expect(http.post("/api/agents/" + agent + "/memories", Map.of("content", fact)), 200);
    JsonNode hits = http.expect(http.get("/api/memories?agentId=" + agent + "&q=" + enc("sailing boat name")),
        200);
    assertEquals(fact, hits.path(0).path("content").asText(), () -> hits.toString());
    assertEquals("hybrid", hits.path(0).path("via").asText(), () -> "found by words and by the provider's vector: "
        + hits);

    List<RecordedRequest> embeddings = fake.requests().stream()
        .filter(r -> r.isEmbeddings() && ("fake-embed-" + m).equals(r.model())).toList();
    assertTrue(embeddings.stream().anyMatch(r -> r.inputs().contains(fact)), () -> "the memory was embedded there: "
        + embeddings.stream().map(RecordedRequest::inputs).toList());
    assertTrue(embeddings.stream().anyMatch(r -> r.inputs().contains("sailing boat name")),
        () -> "the search's query was embedded there: " + embeddings.stream().map(RecordedRequest::inputs).toList());
  }

  @Test
  void aNearDuplicateFactIsNotStoredTwice() throws Exception {
    String m = marker("dup");
    Http http = server.http();
    String agent = createAgent(http, "Dup " + m);
    String rex = http.expect(http.post(memories(agent), "{\"content\":\"The user has a dog called Rex\"}"), 200)
        .path("id").asText();
    SCRIPTS.put(m, new Script("[{\"content\":\"the user has a dog called Rex.\",\"category\":\"fact\"},"
        + "{\"content\":\"The user walks the dog every morning\",\"category\":\"fact\"}]", "{}"));

    ChatClient client = converse(agent, "Rex and I go for a walk every morning. " + m);
    close(client, agent);
    awaitMemory(agent, "The user walks the dog every morning");

    JsonNode all = list(agent);
    List<String> rexes = new ArrayList<>();
    all.forEach(x -> {
      if (x.path("content").asText().toLowerCase(Locale.ROOT).contains("dog called rex")) {
        rexes.add(x.path("id").asText());
      }
    });
    assertEquals(List.of(rex), rexes, () -> "the repeated fact was stored again: " + all);
    assertEquals(2, all.size(), () -> all.toString());
  }

  @Test
  void aModelThatAnswersNonsenseSpoilsNothing() throws Exception {
    String m = marker("nonsense");
    String agent = createAgent(server.http(), "Muddle " + m);
    SCRIPTS.put(m, new Script("I could not find any facts, sorry. [maybe later", "Profile? {not json at all"));

    ChatClient client = converse(agent, "I like chess and my name is Alex. " + m);
    close(client, agent);
    server.eventually("all three learning requests", LEARNED_WITHIN, () -> learningRequests(m).size() == 3,
        () -> learningRequests(m).stream().map(r -> firstLine(r.system())).toList().toString());
    sentinel();

    assertEquals(0, list(agent).size(), () -> "memories from a malformed reply: " + list(agent));
    assertTrue(isEmptyProfile(profile(agent)), () -> "a profile from a malformed reply: " + profile(agent));
    assertEquals(200, server.http().get("/api/health").status());
    String again = marker("after");
    assertTrue(client.chat(agent, "Still there? " + again).withoutErrors().text().contains(again),
        "the agent still chats");
  }

  @Test
  void rememberThatIsKeptAtOnceBeforeAnyClose() throws Exception {
    String agent = createAgent(server.http(), "Remember " + marker("r"));
    converse(agent, "Remember that my cat is called Miso");

    JsonNode all = list(agent);
    assertEquals(1, all.size(), () -> "listed right after chat:done: " + all + "\n" + server.logTail());
    JsonNode miso = all.get(0);
    assertTrue(miso.path("content").asText().toLowerCase(Locale.ROOT).contains("my cat is called miso"),
        () -> miso.toString());
    assertFalse(miso.path("content").asText().toLowerCase(Locale.ROOT).startsWith("remember"), () -> miso.toString());
    assertEquals("user", miso.path("source").asText());
    assertEquals(8, miso.path("importance").asInt());
    assertEquals("fact", miso.path("category").asText());
    assertEquals(List.of(), learningRequests("my cat is called Miso"), "no learning without a close");
  }

  @Test
  void anAgentWithAutoLearnOffLearnsNothing() throws Exception {
    String m = marker("quiet");
    Http http = server.http();
    String agent = createAgent(http, "Quiet " + m);
    Http.Response off = http.patch("/api/agents/" + agent, "{\"autoLearn\":false}");
    assertFalse(http.expect(off, 200).path("autoLearn").asBoolean(true), () -> server.explain(off));
    SCRIPTS.put(m, new Script("[{\"content\":\"The user is a pilot\",\"category\":\"fact\"}]",
        "{\"name\":\"Quinn\",\"preferences\":[],\"goals\":[],\"facts\":[],\"notes\":\"\"}"));

    ChatClient client = converse(agent, "I am a pilot and my name is Quinn. " + m);
    close(client, agent);
    sentinel();

    assertEquals(List.of(), learningRequests(m), "no model call for an agent that does not learn");
    assertEquals(0, list(agent).size(), () -> list(agent).toString());
    assertTrue(isEmptyProfile(profile(agent)), () -> profile(agent).toString());
  }

  /**
   * An agent on the built-in provider follows the global default model once the user has chosen a real one (the core's
   * rule), so this test makes the built-in model the default for as long as the conversation and its close last.
   */
  @Test
  void anAgentOnTheBuiltInModelLearnsNothing() throws Exception {
    String m = marker("builtin");
    Http http = server.http();
    http.expect(http.put("/api/settings/global", settings("builtin", "offline")), 200);
    String agent;
    try {
      agent = createAgent(http, "Offline " + m);
      SCRIPTS.put(m, new Script("[{\"content\":\"The user collects stamps\",\"category\":\"fact\"}]", "{}"));
      ChatClient client = converse(agent, "I collect stamps. " + m);
      assertEquals(List.of(), ChatFixtures.requestsWith(fake, m), "the built-in model answered the turn");
      close(client, agent);
      String line = "Agent '" + agent + "' learns nothing from conversation";
      server.eventually("the log line '" + line + "'", LEARNED_WITHIN, () -> server.logText().contains(line),
          () -> "not logged");
    } finally {
      http.expect(http.put("/api/settings/global", settings(COMPAT, FAKE_MODEL)), 200);
    }
    assertEquals(List.of(), learningRequests(m));
    assertEquals(0, list(agent).size(), () -> list(agent).toString());
    assertTrue(isEmptyProfile(profile(agent)), () -> profile(agent).toString());
  }

  @Test
  void deletingAnAgentDeletesWhatItLearned() throws Exception {
    String m = marker("forget");
    Http http = server.http();
    String name = "Forget " + m;
    String agent = createAgent(http, name);
    SCRIPTS.put(m, new Script("[{\"content\":\"The user plays the cello\",\"category\":\"fact\"}]",
        "{\"name\":\"Robin\",\"preferences\":[],\"goals\":[],\"facts\":[],\"notes\":\"\"}"));
    ChatClient client = converse(agent, "I'm Robin and I play the cello. " + m);
    close(client, agent);
    awaitMemory(agent, "The user plays the cello");
    server.eventually("the profile learned", LEARNED_WITHIN, () -> "Robin".equals(profile(agent).path("name").asText()),
        () -> profile(agent).toString());
    client.close();

    http.expect(http.delete("/api/agents/" + agent), 200);
    assertEquals(agent, createAgent(http, name), "the same name gives the same id again");
    assertEquals(0, list(agent).size(), () -> "the new agent inherited memories: " + list(agent));
    assertTrue(isEmptyProfile(profile(agent)), () -> "the new agent inherited the profile: " + profile(agent));
  }

  static String contents(JsonNode items) {
    var out = Http.JSON.createArrayNode();
    items.forEach(i -> out.add(i.path("content").asText()));
    return out.toString();
  }
}
