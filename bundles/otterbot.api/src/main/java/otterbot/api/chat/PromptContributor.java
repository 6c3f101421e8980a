package otterbot.api.chat;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: adds a section to the system prompt of every chat turn. The prompt is the agent's persona, then the
 * contributed sections in ascending {@link #ORDER}, then today's date (upstream-behaviour §7.3). The memory bundle
 * contributes the user-profile block (order 100) and the relevant memories (200); skills come at 300.
 *
 * <p>Called on the turn's thread with a timeout; a contributor that fails or is late is left out of that turn.
 */
@ConsumerType
public interface PromptContributor {
  /** Service property ({@code Integer}): where the section goes; lower first. */
  String ORDER = "otterbot.prompt.order";

  /**
   * The section, Markdown starting with its heading, or null (or blank) for none this turn.
   *
   * @param context who is asked what
   */
  String section(PromptContext context) throws InterruptedException;
}
