package otterbot.provider.support;

/**
 * Parses a {@code text/event-stream} line by line (the HTML living standard's rules, minus {@code id} and
 * {@code retry}, which model streams do not use). An event is complete at the blank line that ends it, so each is
 * handed on as soon as its last line arrives.
 */
public final class SseParser {
  private static final String DEFAULT_EVENT = "message";

  private String event;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private boolean firstLine = true;

  /**
   * Feeds one line, without its line terminator.
   *
   * @return the event this line completed, or null
   */
  public SseEvent line(String line) {
    if (firstLine) {
      firstLine = false;
      if (line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
    }
    if (line.isEmpty()) {
      return dispatch();
    }
    if (line.startsWith(":")) {
      return null;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("event")) {
      event = value;
    } else if (field.equals("data")) {
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    }
    return null;
  }

  /**
   * The stream ended: returns the event still pending, or null. The standard drops an event whose blank line never
   * came; we keep it, because some servers close the stream right after their last {@code data:} line.
   */
  public SseEvent finish() {
    return dispatch();
  }

  private SseEvent dispatch() {
    SseEvent complete = hasData ? new SseEvent(event == null ? DEFAULT_EVENT : event, data.toString()) : null;
    event = null;
    data.setLength(0);
    hasData = false;
    return complete;
  }
}
