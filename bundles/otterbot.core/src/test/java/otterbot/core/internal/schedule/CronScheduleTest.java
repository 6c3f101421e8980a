package otterbot.core.internal.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

/** The cron syntax: what croner accepted upstream, as far as cron-utils can. */
class CronScheduleTest {
  static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  /** Tuesday, 10 March 2026, 12:00:00.5 local time. */
  static final Instant NOW = LocalDateTime.of(2026, 3, 10, 12, 0, 0, 500_000_000).atZone(ZONE).toInstant();

  static LocalDateTime next(String cron) {
    return LocalDateTime.ofInstant(CronSchedule.parse(cron).orElseThrow(() -> new AssertionError(cron))
        .nextAfter(NOW, ZONE).orElseThrow(), ZONE);
  }

  static LocalDateTime at(int day, int hour, int minute, int second) {
    return LocalDateTime.of(2026, 3, day, hour, minute, second);
  }

  @Test
  void fiveFieldsStartWithTheMinute() {
    assertEquals(at(11, 9, 0, 0), next("0 9 * * *"));
    assertEquals(at(10, 12, 15, 0), next("*/15 * * * *"));
    assertEquals(at(10, 12, 10, 0), next("10-20/5 12 * * *"));
    assertEquals(at(11, 0, 0, 0), next("  0   0 * * *  "));
  }

  @Test
  void sixFieldsStartWithTheSecond() {
    assertEquals(at(10, 12, 0, 1), next("* * * * * *"), "every second, strictly after now");
    assertEquals(at(10, 12, 0, 30), next("30 * * * * *"));
    assertEquals(at(11, 9, 0, 30), next("30 0 9 * * *"));
  }

  @Test
  void namesSpecialCharactersAndNicknamesAreAccepted() {
    assertEquals(at(13, 9, 0, 0), next("0 9 * * fri"));
    assertEquals(at(15, 9, 0, 0), next("0 9 * * 0"));
    assertEquals(at(15, 9, 0, 0), next("0 9 * * 7"), "7 is Sunday too");
    assertEquals(at(31, 0, 0, 0), next("0 0 L * *"), "last day of the month");
    assertEquals(at(27, 0, 0, 0), next("0 0 * * 5L"), "last Friday");
    assertEquals(at(16, 0, 0, 0), next("0 0 * * MON#3"), "third Monday");
    assertEquals(at(16, 0, 0, 0), next("0 0 15W * *"), "weekday nearest the 15th (a Sunday)");
    assertEquals(at(11, 9, 0, 0), next("0 9 ? * *"), "? is *");
    assertEquals(LocalDateTime.of(2026, 4, 1, 0, 0), next("0 0 1 apr *"));
    assertEquals(at(11, 0, 0, 0), next("@daily"));
    assertEquals(at(10, 13, 0, 0), next("@hourly"));
  }

  @Test
  void malformedExpressionsAreRejected() {
    for (String cron : new String[] {null, "", " ", "not-a-cron", "* * * *", "* * * * * * *", "60 * * * *",
        "* 24 * * *", "0 0 32 * *", "0 0 * 13 *", "0 0 * * 8", "@reboot", "x".repeat(300)}) {
      assertTrue(CronSchedule.parse(cron).isEmpty(), "rejects " + cron);
    }
  }

  @Test
  void anExpressionThatNeverFiresHasNoNextTime() {
    assertTrue(CronSchedule.parse("0 0 31 2 *").orElseThrow().nextAfter(NOW, ZONE).isEmpty());
  }
}
