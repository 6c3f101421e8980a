package otterbot.rest.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What code logs, read back: slf4j-simple writes to System.err and looks the stream up at every write. */
final class Logs {
  private Logs() {}

  interface Action {
    void run() throws Exception;
  }

  static String of(Action action) throws Exception {
    PrintStream original = System.err;
    var buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String text = buffer.toString(StandardCharsets.UTF_8);
    original.print(text); // keep it in the test report
    return text;
  }
}
