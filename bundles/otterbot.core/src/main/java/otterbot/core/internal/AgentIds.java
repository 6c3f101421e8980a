package otterbot.core.internal;

import java.util.regex.Pattern;

/** The form of agent ids, checked before a client's string is used as a key anywhere (registry, status, queues). */
public final class AgentIds {
  /** Agent ids: slugs, plus {@code __} inside subagent ids ({@code <parent>__sub__<n>}); at most 128 characters. */
  public static final Pattern ID = Pattern.compile("[a-z0-9](?:[a-z0-9_-]{0,126}[a-z0-9])?");

  private AgentIds() {}

  public static boolean valid(String id) {
    return id != null && ID.matcher(id).matches();
  }
}
