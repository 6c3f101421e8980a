package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.test.common.annotation.InjectService;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.chat.ChatListener;
import otterbot.api.chat.ChatService;
import otterbot.api.chat.StreamChunk;
import otterbot.api.credentials.CredentialService;
import otterbot.api.persistence.ConversationStore;

/** An agent's credentials and conversations belong to it: they go when it is deleted, so a namesake starts clean. */
@Timeout(60)
class AgentDataIT {
  @Test
  void deletingAnAgentDeletesItsCredentialsAndConversations(
      @InjectService(timeout = 20_000) AgentRegistry agents, @InjectService(timeout = 20_000) CredentialService credentials,
      @InjectService(timeout = 20_000) ChatService chat, @InjectService(timeout = 20_000) ConversationStore conversations)
      throws Exception {
    AgentProfile agent = agents.create(AgentInput.named("Short Lived"));
    credentials.replace(agent.id(), Map.of("GITHUB_TOKEN", "ghp-itest-value"));
    assertEquals(Set.of("GITHUB_TOKEN"), credentials.keys(agent.id()));
    assertEquals("ghp-itest-value", credentials.effectiveSecrets(agent.id()).get("GITHUB_TOKEN"));

    CountDownLatch done = new CountDownLatch(1);
    chat.send(agent.id(), "conv-itest-short-lived", "hello", new ChatListener() {
      @Override
      public void chunk(StreamChunk chunk) {}

      @Override
      public void done() {
        done.countDown();
      }
    });
    assertTrue(done.await(30, TimeUnit.SECONDS));
    assertEquals(agent.id(), conversations.owner("conv-itest-short-lived").orElseThrow());
    assertEquals(2, conversations.messages("conv-itest-short-lived").size(), "the message and the reply are stored");

    agents.delete(agent.id());
    assertTrue(credentials.keys(agent.id()).isEmpty(), "credentials deleted with the agent");
    assertFalse(conversations.owner("conv-itest-short-lived").isPresent(), "conversations deleted with the agent");

    AgentProfile namesake = agents.create(AgentInput.named("Short Lived"));
    try {
      assertEquals(agent.id(), namesake.id());
      assertFalse(credentials.effectiveSecrets(namesake.id()).containsKey("GITHUB_TOKEN"), "a namesake starts clean");
    } finally {
      agents.delete(namesake.id());
    }
  }
}
