package otterbot.persistence.jpa.internal;

import java.nio.file.Path;

/**
 * Child process of {@link DurabilityTest}: saves one agent and one setting, prints "committed" once both methods have
 * returned (which is when the REST layer answers 200), then waits to be killed.
 */
public final class SaveThenWait {
  private SaveThenWait() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String id = args[1];
    String url = args.length > 2 ? args[2] : "";
    var storage = new Storage(Database.of(url, "", "", 2, "", dir));
    storage.save(Fixtures.sparse(id, "persona of " + id));
    storage.put("last-saved", id);
    System.out.println("committed");
    System.out.flush();
    Thread.sleep(120_000);
  }
}
