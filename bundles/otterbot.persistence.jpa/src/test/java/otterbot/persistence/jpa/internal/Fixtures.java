package otterbot.persistence.jpa.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;

/** Shared test data and helpers. */
final class Fixtures {
  static final Instant CREATED = Instant.parse("2025-03-01T12:34:56.789Z");

  private Fixtures() {}

  /** The default H2 file database in {@code dir}, as the component resolves it without configuration. */
  static Database h2(Path dir) {
    return Database.of("", "", "", 4, "", dir);
  }

  /** Every field set, nested records and lists included. */
  static AgentProfile full(String id) {
    return new AgentProfile(id, "Ada Lovelace", AgentProfile.ROLE_AGENT, "You are precise and kind.",
        new AgentModels(new ModelRef("openai", "gpt-4o"), new ModelRef("ollama", "nomic-embed-text")),
        List.of(new ModelRef("openai", ModelRef.ANY_MODEL), new ModelRef("anthropic", "claude-sonnet")),
        List.of("socketio", "telegram"), "socketio", "ada@example.org", new Artwork("prototype-pete"), true, 3,
        AgentProfile.COO_ID, CREATED);
  }

  /** A subagent without email, with empty lists; {@code parentId} null as for a top-level agent. */
  static AgentProfile sparse(String id, String persona) {
    return new AgentProfile(id, "Sparse " + id, AgentProfile.ROLE_SUBAGENT, persona,
        new AgentModels(new ModelRef("openai", "gpt-4o-mini"), null), List.of(), List.of(), "socketio", null,
        new Artwork(Artwork.DEFAULT_MODEL_PACK), false, 0, null, CREATED.plusMillis(1));
  }

  static AgentProfile withPersona(AgentProfile p, String persona) {
    return new AgentProfile(p.id(), p.displayName(), p.role(), persona, p.model(), p.allowedModels(),
        p.allowedChatServices(), p.transport(), p.email(), p.artwork(), p.canSpawnSubagents(), p.subagentLimit(),
        p.parentId(), p.createdAt());
  }

  /** {@code p} without a creation time, as a profile written before agents had one. */
  static AgentProfile withoutCreatedAt(AgentProfile p) {
    return new AgentProfile(p.id(), p.displayName(), p.role(), p.persona(), p.model(), p.allowedModels(),
        p.allowedChatServices(), p.transport(), p.email(), p.artwork(), p.canSpawnSubagents(), p.subagentLimit(),
        p.parentId(), null);
  }

  /** About 1 MB of text covering several Unicode planes. */
  static String megabytePersona() {
    String unit = "Otter 🦦 ünïcödé ✓ 日本語 — ";
    return unit.repeat(1_100_000 / unit.length());
  }

  /** Column to type, from pairs: more than Map.of takes. */
  static java.util.Map<String, String> columns(String... columnThenType) {
    var map = new java.util.HashMap<String, String>();
    for (int i = 0; i < columnThenType.length; i += 2) {
      map.put(columnThenType[i], columnThenType[i + 1]);
    }
    return map;
  }

  interface Action {
    void run() throws Exception;
  }

  /** What the action wrote to System.err, where slf4j-simple logs (it looks the stream up at every write). */
  static String stderrOf(Action action) throws Exception {
    PrintStream original = System.err;
    var buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String text = buffer.toString(StandardCharsets.UTF_8);
    original.print(text); // keep it in the test report
    return text;
  }
}
