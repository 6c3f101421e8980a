package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.chat.ChatListener;
import otterbot.api.chat.ChatService;
import otterbot.api.chat.StreamChunk;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.BusTransport;
import otterbot.api.orchestration.MessageBus;
import otterbot.api.orchestration.SubagentTask;
import otterbot.api.orchestration.Subagents;

/**
 * Agents working together in the real framework, driven offline by the built-in provider's {@code /tool} command:
 * a delegation over the bus, a subagent, and a bus transport plugged in and out at runtime.
 */
@Timeout(120)
class OrchestrationIT {
  @InjectBundleContext
  BundleContext context;

  @Test
  void theCooDelegatesOverTheBusAndATransportPluggedInAtRuntimeSeesIt(
      @InjectService(timeout = 20_000) ChatService chat, @InjectService(timeout = 20_000) AgentRegistry agents,
      @InjectService(timeout = 20_000) MessageBus bus) throws Exception {
    AgentProfile helper = agents.create(AgentInput.named("Itest Helper"));
    List<AgentMessage> seen = new CopyOnWriteArrayList<>();
    ServiceRegistration<BusTransport> transport = context.registerService(BusTransport.class, new BusTransport() {
      @Override
      public String id() {
        return "itest";
      }

      @Override
      public void send(AgentMessage message) {
        seen.add(message);
      }
    }, null);
    try {
      String reply = turn(chat, AgentProfile.COO_ID, "conv-itest-delegate",
          "/tool delegate {\"agentId\":\"" + helper.id() + "\",\"task\":\"count the otters\"}");
      assertTrue(reply.contains("\"ok\":true") && reply.contains("\"from\":\"" + helper.id() + "\""), reply);
      assertTrue(reply.contains("You said: \\\"count the otters\\\""), "the helper's own (built-in) answer: " + reply);

      AgentMessage request = seen.stream().filter(m -> m.kind().equals(AgentMessage.REQUEST)).findFirst().orElseThrow();
      AgentMessage response = seen.stream().filter(m -> m.kind().equals(AgentMessage.RESPONSE)).findFirst().orElseThrow();
      assertEquals("coo", request.from());
      assertEquals(helper.id(), request.to());
      assertEquals(request.id(), response.correlationId());
      assertTrue(request.seq() < response.seq());
      List<AgentMessage> history = bus.history(1000);
      assertTrue(history.stream().anyMatch(m -> m.id().equals(response.id())), "the history has it");

      transport.unregister();
      int before = seen.size();
      turn(chat, AgentProfile.COO_ID, "conv-itest-delegate",
          "/tool delegate {\"agentId\":\"" + helper.id() + "\",\"task\":\"again\"}");
      assertEquals(before, seen.size(), "an unregistered transport sees nothing more");
    } finally {
      agents.delete(helper.id());
    }
  }

  @Test
  void aSubagentRunsItsGoalReportsAndIsRetired(@InjectService(timeout = 20_000) ChatService chat,
      @InjectService(timeout = 20_000) AgentRegistry agents, @InjectService(timeout = 20_000) Subagents subagents) {
    String reply = turn(chat, AgentProfile.COO_ID, "conv-itest-spawn",
        "/tool spawn_subagent {\"goal\":\"find the river\"}");
    assertTrue(reply.contains("\"ok\":true") && reply.contains("\"status\":\"done\""), reply);
    SubagentTask task = subagents.tasks().get(0);
    assertEquals(SubagentTask.DONE, task.status());
    assertEquals("coo", task.parentAgentId());
    assertTrue(task.resultSummary().contains("find the river"), task.resultSummary());
    Await.until("the subagent retired", Duration.ofSeconds(10),
        () -> agents.list().stream().map(AgentSummary::id).noneMatch(task.subagentId()::equals));
    assertEquals(0, subagents.active("coo"));
    assertFalse(agents.get(task.subagentId()).isPresent());
  }

  /** Runs one turn and returns its text (tokens and tool results). */
  static String turn(ChatService chat, String agentId, String conversationId, String text) {
    var out = new StringBuilder();
    var done = new CountDownLatch(1);
    chat.send(agentId, conversationId, text, new ChatListener() {
      @Override
      public void chunk(StreamChunk chunk) {
        synchronized (out) {
          out.append(chunk.kind().equals(StreamChunk.TOKEN) ? chunk.text() : "");
          if (chunk.kind().equals(StreamChunk.ERROR)) {
            out.append("[error ").append(chunk.message()).append(']');
          }
        }
      }

      @Override
      public void done() {
        done.countDown();
      }
    });
    try {
      assertTrue(done.await(60, TimeUnit.SECONDS), "the turn ended");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    synchronized (out) {
      return out.toString();
    }
  }
}
