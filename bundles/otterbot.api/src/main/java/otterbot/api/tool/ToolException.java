package otterbot.api.tool;

/** A tool failed in a way the model should be told about; the message goes to the model and the user. */
public class ToolException extends Exception {
  private static final long serialVersionUID = 1L;

  public ToolException(String message) {
    super(message);
  }

  public ToolException(String message, Throwable cause) {
    super(message, cause);
  }
}
