package otterbot.api.agent;

/** The values of an agent's live status, as they appear on the wire. */
public final class AgentStatus {
  public static final String IDLE = "idle";
  public static final String THINKING = "thinking";
  public static final String WORKING = "working";
  public static final String WAITING = "waiting";
  public static final String STOPPED = "stopped";
  public static final String ERROR = "error";

  private AgentStatus() {}
}
