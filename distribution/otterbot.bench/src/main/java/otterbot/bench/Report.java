package otterbot.bench;

import java.util.Locale;

/**
 * What a benchmark prints: progress lines as it goes ({@link #progress}), and its report, printed line by line and kept
 * to be written to a file at the end ({@link #line}, {@link #toString}). Numbers are formatted in the root locale, so
 * a report reads the same on every machine.
 */
final class Report {
  private final StringBuilder text = new StringBuilder();

  /** Prints a report line and keeps it; without arguments {@code format} is printed as it is. */
  void line(String format, Object... args) {
    String s = args.length == 0 ? format : fmt(format, args);
    System.out.println(s);
    text.append(s).append('\n');
  }

  @Override
  public String toString() {
    return text.toString();
  }

  /** A progress line, {@code [bench] ...}, printed at once and not part of the report. */
  static void progress(String format, Object... args) {
    System.out.println("[bench] " + fmt(format, args));
    System.out.flush();
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
