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

  /**
   * Stores messages in one transaction: the bus's group commit. All or nothing: when one of them is refused (invalid,
   * an id already on the bus or twice in the list) or the commit fails, none is stored and no seq is taken; the error
   * need not say which message was at fault (the bus then appends them one by one to find out). On success
   * they get consecutive seqs in list order, strictly increasing after every seq handed out before, committed before
   * this returns.
   *
   * @return the stored messages in list order, each as {@link #append} would have returned it
   * @since 1.2
   */
  List<AgentMessage> appendAll(List<AgentMessage> messages);

  /** The last {@code limit} messages by seq, oldest first. */
  List<AgentMessage> last(int limit);
}
