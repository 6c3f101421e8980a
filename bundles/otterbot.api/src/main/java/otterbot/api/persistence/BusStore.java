package otterbot.api.persistence;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.orchestration.AgentMessage;

/** Bus messages. */
@ProviderType
public interface BusStore {
  /**
   * Stores a message and returns it with its seq: strictly increasing in the order of the calls that returned,
   * committed before this returns.
   */
  AgentMessage append(AgentMessage message);

  /** The last {@code limit} messages by seq, oldest first. */
  List<AgentMessage> last(int limit);
}
