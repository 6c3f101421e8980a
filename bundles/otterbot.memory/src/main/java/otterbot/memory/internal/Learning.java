package otterbot.memory.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.ModelRef;
import otterbot.api.chat.ConversationListener;
import otterbot.api.credentials.CredentialService;
import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryHit;
import otterbot.api.memory.MemoryInput;
import otterbot.api.memory.UserProfile;
import otterbot.api.persistence.ConversationLearning;
import otterbot.api.persistence.ConversationStore;
import otterbot.api.persistence.ProfileStore;
import otterbot.api.persistence.StoredMessage;
import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ModelService;
import otterbot.api.provider.ToolCall;
import otterbot.api.settings.SettingsService;
import otterbot.api.skill.SkillService;

/**
 * Learning from conversations (upstream §7.4), with the agent's own chat model: when a conversation ends (close,
 * disconnect, idle) a summary, the durable facts about the user (saved as memories, de-duplicated, superseding what
 * they contradict), the dialectic update of the user profile, and, from conversations of four messages or more while
 * the skills bundle runs, maybe a new skill. And "remember ..." in a user message is saved at once, before the turn's
 * prompt is built.
 *
 * <p>In the background, one conversation at a time, behind a bounded queue: it never blocks a chat. Idempotent per
 * conversation across restarts: a record of how many messages were learned from means a second close with nothing new
 * calls no model. Skipped (and logged) for agents with {@code autoLearn} off and for the built-in offline provider,
 * which cannot summarise.
 */
@Component(service = ConversationListener.class)
public final class Learning implements ConversationListener {
  private static final Logger LOG = LoggerFactory.getLogger(Learning.class);
  static final String SUMMARY_PROMPT = "You summarise a conversation between a user and an AI agent.";
  static final String FACTS_PROMPT = "You extract durable facts about the user from a conversation.";
  static final String PROFILE_PROMPT = "You maintain a profile of the user.";
  static final String SKILL_PROMPT = "You decide whether a conversation taught a reusable skill.";
  /** Upstream asks for a skill only from conversations of at least four messages (the whole conversation). */
  static final int MIN_MESSAGES_FOR_SKILL = 4;
  static final int MAX_KNOWN_SKILLS = 40;
  static final String BUILTIN = "builtin";
  /** The newest part of a transcript that goes to the model. */
  static final int MAX_TRANSCRIPT = 24_000;
  /** The longest model reply read. */
  static final int MAX_REPLY = 64_000;
  static final int MAX_FACTS = 10;
  static final int MAX_KEY_POINTS = 8;
  /** "remember (that) ...", "don't forget ...", "note that ...", at the start of a sentence. */
  static final Pattern REMEMBER = Pattern.compile(
      "(?:^|[.!?\\n]\\s*)(?:please\\s+|pls\\s+)?(?:remember|don't forget|do not forget|dont forget|note)"
          + "(?:\\s+that)?[\\s:,]+(\\S.*)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern INSTRUCTION = Pattern.compile(
      "\\b(always|never|please|don't|do not|must|should)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern PREFERENCE = Pattern.compile(
      "\\bi (like|love|prefer|hate|dislike|enjoy|can't stand)\\b", Pattern.CASE_INSENSITIVE);

  private final MemoryServiceImpl memory;
  private final ProfileStore profiles;
  private final ConversationStore conversations;
  private final ModelService models;
  private final CredentialService credentials;
  private final SettingsService settings;
  private final AgentRegistry agents;
  private final Clock clock;
  private final ThreadPoolExecutor worker;
  /** Conversations waiting or being learned from: a second close of one meanwhile adds nothing. */
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  /** The skills service, while the skills bundle runs: learning then may author a skill. */
  private volatile SkillService skills;

  @Activate
  public Learning(@Reference MemoryServiceImpl memory, @Reference ProfileStore profiles,
      @Reference ConversationStore conversations, @Reference ModelService models,
      @Reference CredentialService credentials, @Reference SettingsService settings, @Reference AgentRegistry agents) {
    this(memory, profiles, conversations, models, credentials, settings, agents, Clock.systemUTC());
  }

  Learning(MemoryServiceImpl memory, ProfileStore profiles, ConversationStore conversations, ModelService models,
      CredentialService credentials, SettingsService settings, AgentRegistry agents, Clock clock) {
    this.memory = memory;
    this.profiles = profiles;
    this.conversations = conversations;
    this.models = models;
    this.credentials = credentials;
    this.settings = settings;
    this.agents = agents;
    this.clock = clock;
    this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(memory.maxQueuedLearnings), r -> {
          Thread t = new Thread(r, "otterbot-learning");
          t.setDaemon(true);
          t.setContextClassLoader(null);
          return t;
        });
  }

  @Deactivate
  void close() {
    worker.shutdownNow();
  }

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void setSkills(SkillService service) {
    skills = service;
  }

  void unsetSkills(SkillService service) {
    if (skills == service) {
      skills = null;
    }
  }

  // ------------------------------------------------------------------------------------------ remember at once

  @Override
  public void messageReceived(AgentProfile agent, String conversationId, String text) {
    String content = rememberRequest(text);
    if (content == null) {
      return;
    }
    try {
      MemoryEntry saved = memory.save(agent.id(), new MemoryInput(content, category(content), 8, "user", List.of(),
          null, null));
      LOG.info("Agent '{}' remembers at once what the user asked it to (memory {})", agent.id(), saved.id());
    } catch (OtterbotException e) {
      LOG.warn("Agent '{}' could not save what the user asked it to remember: {}", agent.id(), e.getMessage());
    }
  }

  /** What a "remember ..." message asks to remember, or null when it asks nothing of the kind. */
  static String rememberRequest(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = REMEMBER.matcher(text.strip());
    if (!m.find()) {
      return null;
    }
    String content = m.group(1).strip();
    if (content.endsWith("?") || content.length() < 3) {
      return null; // "remember what I said?" asks, it does not tell
    }
    content = Profiles.cut(content, MemoryEntry.MAX_CONTENT_LENGTH);
    return Character.toUpperCase(content.charAt(0)) + content.substring(1);
  }

  static String category(String content) {
    if (PREFERENCE.matcher(content).find()) {
      return "preference";
    }
    return INSTRUCTION.matcher(content).find() ? "instruction" : "fact";
  }

  // ------------------------------------------------------------------------------------------ at the end

  @Override
  public void closed(AgentProfile agent, String conversationId, String reason) {
    if (!queued.add(conversationId)) {
      return; // already waiting: it will read every message when it runs
    }
    try {
      worker.execute(() -> {
        try {
          learn(agent.id(), conversationId, reason);
        } catch (RuntimeException e) {
          LOG.warn("Learning from conversation {} of agent '{}' failed: {}", conversationId, agent.id(), e.toString());
        } finally {
          queued.remove(conversationId);
        }
      });
    } catch (RejectedExecutionException e) {
      queued.remove(conversationId);
      LOG.warn("{} conversations are waiting to be learned from; conversation {} of agent '{}' is not (its next close"
          + " catches up)", memory.maxQueuedLearnings, conversationId, agent.id());
    }
  }

  /** Learns from the conversation's messages that were not learned from yet; returns whether a model was asked. */
  boolean learn(String agentId, String conversationId, String reason) {
    Optional<AgentProfile> current = agents.get(agentId);
    if (current.isEmpty()) {
      return false; // deleted meanwhile
    }
    AgentProfile agent = current.get();
    if (!agent.autoLearn()) {
      LOG.debug("Agent '{}' does not learn from conversations (autoLearn is off)", agentId);
      return false;
    }
    ModelRef model = effectiveModel(agent);
    if (model == null || BUILTIN.equals(model.provider())) {
      LOG.info("Agent '{}' learns nothing from conversation {}: its model is the built-in offline provider, which"
          + " cannot summarise; configure a real model to turn learning on", agentId, conversationId);
      return false;
    }
    Optional<ModelProvider> provider = models.provider(model.provider());
    if (provider.isEmpty()) {
      LOG.warn("Agent '{}' learns nothing from conversation {}: its provider '{}' is not installed", agentId,
          conversationId, model.provider());
      return false;
    }
    List<StoredMessage> messages = conversations.messages(conversationId);
    int learned = profiles.learning(conversationId).map(ConversationLearning::learnedMessages).orElse(0);
    if (learned > messages.size()) {
      learned = 0; // the conversation was deleted and started again
    }
    List<StoredMessage> fresh = messages.subList(learned, messages.size()).stream()
        .filter(m -> ("user".equals(m.role()) || "assistant".equals(m.role())) && !m.content().isBlank()).toList();
    if (fresh.stream().noneMatch(m -> "user".equals(m.role()))) {
      return false; // nothing new from the user
    }
    String transcript = transcript(fresh);
    Map<String, String> secrets = credentials.effectiveSecrets(agentId);
    Model call = new Model(provider.get(), model.modelId(), secrets, memory.learningTimeout);
    LOG.info("Agent '{}' learns from conversation {} ({} new messages, {})", agentId, conversationId, fresh.size(),
        reason);

    // 1. The summary.
    String summary;
    List<String> keyPoints = List.of();
    try {
      String reply = call.complete(SUMMARY_PROMPT + "\nWrite one paragraph of at most 150 words, then 0 to 8 key"
          + " points, exactly in this format:\nSUMMARY:\n<paragraph>\n\nKEY_POINTS:\n[\"point\", ...]",
          transcript, 800);
      Summary parsed = summary(reply);
      summary = parsed.summary();
      keyPoints = parsed.keyPoints();
    } catch (ModelFailure e) {
      LOG.warn("Agent '{}' could not summarise conversation {}: {}", agentId, conversationId, e.getMessage());
      summary = Profiles.cut(transcript, 1500);
    }

    // 2. The facts, with the memories they might repeat or contradict.
    int saved = 0;
    try {
      List<MemoryHit> known = memory.relevant(agentId, Profiles.cut(lastUserText(fresh), 1000), 10);
      var prompt = new StringBuilder(transcript).append("\n\nWhat you already remember about the user:\n");
      known.forEach(h -> prompt.append("- [").append(h.entry().id()).append("] ").append(h.entry().content())
          .append('\n'));
      if (known.isEmpty()) {
        prompt.append("(nothing)\n");
      }
      String reply = call.complete(FACTS_PROMPT + "\nAnswer with a JSON array of 0 to 10 facts that will still be"
          + " true and useful in later conversations, each {\"content\": string, \"category\": \"preference\" |"
          + " \"fact\" | \"instruction\" | \"relationship\" | \"general\", \"importance\": 1-10, \"entities\": [1-5"
          + " strings], \"temporal\": \"current\" | \"past\" | \"upcoming\", \"supersedes\": the id in brackets of a"
          + " remembered item this fact contradicts or replaces, or null}. Leave out what is already remembered."
          + " Answer with the JSON array only.", prompt.toString(), 1200);
      Set<String> knownIds = memory.currentIds(agentId, known.stream().map(h -> h.entry().id()).toList());
      for (MemoryInput fact : facts(reply, knownIds)) {
        try {
          memory.save(agentId, fact);
          saved++;
        } catch (OtterbotException e) {
          LOG.warn("A fact learned by agent '{}' was not saved: {}", agentId, e.getMessage());
        }
      }
    } catch (ModelFailure e) {
      LOG.warn("Agent '{}' could not extract facts from conversation {}: {}", agentId, conversationId,
          e.getMessage());
    }

    // 3. The dialectic update of the user profile.
    try {
      UserProfile before = memory.profile(agentId);
      String reply = call.complete(PROFILE_PROMPT + "\nYou get the current profile as JSON and a new conversation."
          + " Answer with the updated profile as one JSON object {\"name\": string or null, \"preferences\": [...],"
          + " \"goals\": [...], \"facts\": [...], \"notes\": string}, each item {\"content\": string, \"confidence\":"
          + " 1-10, \"contradicted\": boolean}. Add what is new, raise the confidence of what the conversation"
          + " confirms, mark what it contradicts as contradicted instead of deleting it, and merge duplicates. Answer"
          + " with the JSON object only.", "Current profile:\n" + Profiles.toJson(before) + "\n\nConversation:\n"
          + transcript, 1500);
      UserProfile next = Profiles.fromTree(json(reply, '{', '}'), now(), before);
      memory.replaceProfile(agentId, next);
    } catch (ModelFailure | IllegalArgumentException e) {
      LOG.warn("Agent '{}' could not update the user profile from conversation {}: {}", agentId, conversationId,
          e.getMessage());
    }

    // 4. Maybe a skill: what the conversation taught that is worth doing the same way again (upstream §7.4 step 4).
    SkillService skillService = skills;
    if (skillService != null && messages.size() >= MIN_MESSAGES_FOR_SKILL) {
      authorSkill(skillService, call, agentId, conversationId, transcript);
    }

    if (!call.answered()) {
      // The model never answered (down, refusing): not recorded as learned, so the next close tries again.
      LOG.warn("Agent '{}' learned nothing from conversation {}: its model did not answer", agentId, conversationId);
      return true;
    }
    profiles.putLearning(new ConversationLearning(conversationId, agentId, messages.size(), summary, keyPoints,
        now()));
    LOG.info("Agent '{}' learned from conversation {}: {} facts saved", agentId, conversationId, saved);
    return true;
  }

  /**
   * Asks the model whether the conversation taught a reusable skill, with the agent's existing skills (at most 40) so
   * it does not write one twice; a JSON answer with a name and a body becomes an authored skill (scanned like every
   * skill), anything else ({@code SKIP}, prose, malformed JSON) is nothing.
   */
  private void authorSkill(SkillService skillService, Model call, String agentId, String conversationId,
      String transcript) {
    try {
      var known = new StringBuilder();
      skillService.list(agentId).stream().limit(MAX_KNOWN_SKILLS).forEach(s -> known.append("- ")
          .append(s.meta().name()).append(": ").append(s.meta().description()).append('\n'));
      String reply = call.complete(SKILL_PROMPT + "\nIf the conversation shows a procedure worth repeating that is"
          + " not among the existing skills, answer with one JSON object {\"name\": string, \"description\": one line,"
          + " \"body\": the steps in Markdown, \"tags\": [strings]}; otherwise answer exactly SKIP.",
          "Existing skills:\n" + (known.length() == 0 ? "(none)\n" : known) + "\nConversation:\n" + transcript, 1500);
      if (reply.strip().toUpperCase(Locale.ROOT).startsWith("SKIP")) {
        return;
      }
      JsonNode skill = json(reply, '{', '}');
      String name = skill.path("name").asText("").strip();
      String body = skill.path("body").asText("").strip();
      if (name.isEmpty() || body.isEmpty()) {
        LOG.warn("Agent '{}' proposed a skill without a name or a body from conversation {}; not saved", agentId,
            conversationId);
        return;
      }
      var tags = new java.util.ArrayList<String>();
      skill.path("tags").forEach(t -> {
        if (t.isTextual() && tags.size() < 10) {
          tags.add(Profiles.cut(t.asText(), 64));
        }
      });
      var created = skillService.createAuthored(agentId, Profiles.cut(name, 64),
          Profiles.cut(skill.path("description").asText(""), 1024), Profiles.cut(body, 20_000), tags);
      LOG.info("Agent '{}' wrote the skill '{}' from conversation {} (scan status {})", agentId, created.meta().name(),
          conversationId, created.scanStatus());
    } catch (ModelFailure | IllegalArgumentException e) {
      LOG.warn("Agent '{}' wrote no skill from conversation {}: {}", agentId, conversationId, e.getMessage());
    } catch (OtterbotException e) {
      LOG.warn("Agent '{}' could not save the skill it wrote from conversation {}: {}", agentId, conversationId,
          e.getMessage());
    }
  }

  private ModelRef effectiveModel(AgentProfile agent) {
    ModelRef own = agent.model() == null ? null : agent.model().chat();
    ModelRef global = settings.global().defaultChatModel();
    if (own == null || (BUILTIN.equals(own.provider()) && global != null)) {
      return global;
    }
    return own;
  }

  static String transcript(List<StoredMessage> messages) {
    var out = new StringBuilder();
    for (StoredMessage m : messages) {
      out.append(m.role().toUpperCase(Locale.ROOT)).append(": ").append(m.content().strip()).append('\n');
    }
    // The newest part: what the conversation ended with matters most.
    return out.length() <= MAX_TRANSCRIPT ? out.toString() : out.substring(out.length() - MAX_TRANSCRIPT);
  }

  private static String lastUserText(List<StoredMessage> messages) {
    var out = new StringBuilder();
    for (StoredMessage m : messages) {
      if ("user".equals(m.role())) {
        out.append(m.content()).append(' ');
      }
    }
    String all = out.toString();
    return all.length() <= 1000 ? all : all.substring(all.length() - 1000);
  }

  record Summary(String summary, List<String> keyPoints) {}

  /** {@code SUMMARY:\n...\n\nKEY_POINTS:\n[...]}; key points that are not a JSON array are read line by line. */
  static Summary summary(String reply) {
    String text = reply.strip();
    int keys = text.indexOf("KEY_POINTS:");
    String para = keys >= 0 ? text.substring(0, keys) : text;
    para = para.replaceFirst("^\\s*SUMMARY:\\s*", "").strip();
    var points = new ArrayList<String>();
    if (keys >= 0) {
      String rest = text.substring(keys + "KEY_POINTS:".length()).strip();
      try {
        JsonNode array = json(rest, '[', ']');
        for (JsonNode p : array) {
          if (p.isTextual() && !p.asText().isBlank() && points.size() < MAX_KEY_POINTS) {
            points.add(Profiles.cut(p.asText().strip(), 500));
          }
        }
      } catch (IllegalArgumentException e) {
        for (String line : rest.split("\\R")) {
          String point = line.replaceFirst("^\\s*(?:[-*•]|\\d+[.)])\\s*", "").strip();
          if (!point.isEmpty() && points.size() < MAX_KEY_POINTS) {
            points.add(Profiles.cut(point, 500));
          }
        }
      }
    }
    return new Summary(Profiles.cut(para, 4000), List.copyOf(points));
  }

  /**
   * The facts of a reply (upstream §7.4 step 2): the first JSON array; items without a non-empty string content are
   * dropped; an unknown category is {@code general}; importance is clamped to 1..10 (default 5); at most 5 string
   * entities; an invalid temporal marker is null; {@code supersedes} only when it names one of {@code knownIds}.
   */
  static List<MemoryInput> facts(String reply, Set<String> knownIds) {
    JsonNode array;
    try {
      array = json(reply, '[', ']');
    } catch (IllegalArgumentException e) {
      LOG.warn("The facts reply is not a JSON array; nothing is saved from it");
      return List.of();
    }
    var out = new ArrayList<MemoryInput>();
    for (JsonNode item : array) {
      if (out.size() >= MAX_FACTS) {
        break;
      }
      if (!item.path("content").isTextual() || item.path("content").asText().isBlank()) {
        continue;
      }
      String content = Profiles.cut(item.path("content").asText().strip(), MemoryEntry.MAX_CONTENT_LENGTH);
      String category = item.path("category").asText("general");
      if (!MemoryEntry.CATEGORIES.contains(category)) {
        category = "general";
      }
      int importance = item.path("importance").isNumber()
          ? (int) Math.max(1, Math.min(10, Math.round(item.path("importance").asDouble()))) : 5;
      var entities = new ArrayList<String>();
      for (JsonNode e : item.path("entities")) {
        if (e.isTextual() && !e.asText().isBlank() && entities.size() < 5) {
          entities.add(Profiles.cut(e.asText().strip(), MemoryServiceImpl.MAX_ENTITY_LENGTH));
        }
      }
      String temporal = item.path("temporal").asText(null);
      if (temporal != null && !MemoryEntry.TEMPORAL_MARKERS.contains(temporal)) {
        temporal = null;
      }
      String supersedes = item.path("supersedes").isTextual() && knownIds.contains(item.path("supersedes").asText())
          ? item.path("supersedes").asText() : null;
      out.add(new MemoryInput(content, category, importance, "agent", entities, temporal, supersedes));
    }
    return out;
  }

  /** The JSON value from the first {@code open} to the last {@code close} of a model reply. */
  static JsonNode json(String reply, char open, char close) {
    int start = reply.indexOf(open);
    int end = reply.lastIndexOf(close);
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("no JSON " + (open == '[' ? "array" : "object") + " in the reply");
    }
    try {
      JsonNode node = MemoryTools.JSON.readTree(reply.substring(start, end + 1));
      if ((open == '[' && !node.isArray()) || (open == '{' && !node.isObject())) {
        throw new IllegalArgumentException("not a JSON " + (open == '[' ? "array" : "object"));
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("the reply's JSON is malformed");
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /** A model call failed, answered late, or said nothing. */
  static final class ModelFailure extends Exception {
    private static final long serialVersionUID = 1L;

    ModelFailure(String message) {
      super(message, null, false, false);
    }
  }

  /** One-shot completions with the agent's model: the streamed text of one step without tools, collected. */
  static final class Model {
    private final ModelProvider provider;
    private final String modelId;
    private final Map<String, String> secrets;
    private final Duration timeout;
    private volatile boolean answered;

    Model(ModelProvider provider, String modelId, Map<String, String> secrets, Duration timeout) {
      this.provider = provider;
      this.modelId = modelId;
      this.secrets = secrets;
      this.timeout = timeout;
    }

    /** Whether any call got an answer (even one that could not be parsed). */
    boolean answered() {
      return answered;
    }

    String complete(String system, String user, int maxTokens) throws ModelFailure {
      var sink = new Collect();
      ChatCall call;
      try {
        call = provider.chat(new ChatRequest(modelId, system, List.of(ChatMessage.user(user)), List.of(), secrets,
            maxTokens), sink);
      } catch (RuntimeException | LinkageError e) {
        throw new ModelFailure("the provider failed: " + e);
      }
      try {
        if (!sink.done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          if (call != null) {
            call.cancel();
          }
          throw new ModelFailure("no answer within " + timeout.toSeconds() + " s");
        }
      } catch (InterruptedException e) {
        if (call != null) {
          call.cancel();
        }
        Thread.currentThread().interrupt();
        throw new ModelFailure("interrupted");
      }
      if (sink.error != null) {
        throw new ModelFailure(sink.error);
      }
      String text = sink.text();
      if (text.isBlank()) {
        throw new ModelFailure("the model said nothing");
      }
      answered = true;
      return text;
    }
  }

  private static final class Collect implements ChatSink {
    final CountDownLatch done = new CountDownLatch(1);
    private final StringBuilder text = new StringBuilder();
    volatile String error;

    @Override
    public synchronized void text(String delta) {
      if (delta != null && text.length() < MAX_REPLY) {
        text.append(delta, 0, Math.min(delta.length(), MAX_REPLY - text.length()));
      }
    }

    @Override
    public void toolCall(ToolCall call) {
      // no tools were offered
    }

    @Override
    public void completed(String finishReason) {
      done.countDown();
    }

    @Override
    public void failed(String message) {
      error = message == null ? "the model call failed" : message;
      done.countDown();
    }

    synchronized String text() {
      return text.toString();
    }
  }
}
