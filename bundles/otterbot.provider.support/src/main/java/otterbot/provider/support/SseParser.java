package otterbot.provider.support;

/**
 * Parses a {@code text/event-stream} line by line (the HTML living standard's rules, minus {@code id} and
 * {@code retry}, which model streams do not use). An event is complete at the blank line that ends it, so each is
 * handed on as soon as its last line arrives.
 */
public final class SseParser {
  private static final String DEFAULT_EVENT = "message";

  private String event;
  /** The event's first data line; the rest, if any, are joined in {@link #more}. */
  private String data;
  private final StringBuilder more = new StringBuilder();
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
    // The field's name is compared in place and the value cut out once: a model streams one data line per token, and
    // each copy of it was garbage to collect (issue 12).
    int colon = line.indexOf(':');
    int nameEnd = colon < 0 ? line.length() : colon;
    int valueStart = colon < 0 ? line.length() : colon + 1;
    if (valueStart < line.length() && line.charAt(valueStart) == ' ') {
      valueStart++;
    }
    if (is(line, nameEnd, "data")) {
      String value = line.substring(valueStart);
      if (data == null) {
        data = value;
      } else {
        if (more.length() == 0) {
          more.append(data);
        }
        more.append('\n').append(value);
      }
    } else if (is(line, nameEnd, "event")) {
      event = line.substring(valueStart);
    }
    return null;
  }

  private static boolean is(String line, int nameEnd, String field) {
    return nameEnd == field.length() && line.startsWith(field);
  }

  /**
   * The stream ended: returns the event still pending, or null. The standard drops an event whose blank line never
   * came; we keep it, because some servers close the stream right after their last {@code data:} line.
   */
  public SseEvent finish() {
    return dispatch();
  }

  private SseEvent dispatch() {
    SseEvent complete = null;
    if (data != null) {
      complete = new SseEvent(event == null ? DEFAULT_EVENT : event, more.length() == 0 ? data : more.toString());
    }
    event = null;
    data = null;
    more.setLength(0);
    return complete;
  }
}
