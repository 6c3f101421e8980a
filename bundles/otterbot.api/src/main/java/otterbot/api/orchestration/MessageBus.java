package otterbot.api.orchestration;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.OtterbotException;

/**
 * The bus every agent-to-agent message goes through. A message is stored (committed) before anyone sees it; then every
 * {@link BusTransport} gets it, a response completes the request it answers, and a request is handed to the
 * addressed agent, which answers it with a turn of its own (one request at a time per agent).
 */
@ProviderType
public interface MessageBus {
  /** The most messages {@link #history} returns. */
  int MAX_HISTORY = 1000;

  /**
   * Stores and delivers a message.
   *
   * @return the stored message, with id, seq and createdAt
   * @throws OtterbotException {@code INVALID} for a draft that breaks a rule (unknown kind, missing from or thread)
   */
  AgentMessage publish(AgentMessage draft);

  /**
   * Publishes a request and waits for the response that carries its id as correlationId.
   *
   * @throws OtterbotException {@code UNAVAILABLE} with the message {@code request to <to> timed out} when no response
   *     arrives in time; {@code CONFLICT} when answering would close a cycle of agents waiting for each other
   */
  AgentMessage request(AgentMessage draft, Duration timeout) throws InterruptedException;

  /** The last {@code limit} messages by seq, oldest first; {@code limit} is capped at {@link #MAX_HISTORY}. */
  List<AgentMessage> history(int limit);
}
