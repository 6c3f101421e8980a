package otterbot.core.internal.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * A parsed cron expression, in the syntax upstream's croner accepts as far as cron-utils allows: five fields (minute
 * hour day-of-month month day-of-week, as Unix cron) or six with seconds in front ({@code * * * * * *} fires every
 * second). Both forms take lists, ranges, steps, month and weekday names (any case), day-of-week 0 or 7 for Sunday,
 * {@code L}, {@code W}, {@code LW} in the day of month, {@code L} and {@code #} in the day of week, {@code ?} as
 * {@code *}, and the nicknames {@code @yearly @annually @monthly @weekly @daily @midnight @hourly}.
 *
 * <p>When both day fields are restricted a day matches either of them, as in Unix cron and croner's default. That is
 * why the definitions below are our own rather than cron-utils' SPRING or QUARTZ ones (which require both) and why
 * {@code ?} is rewritten instead of declared: cron-utils switches to "both must match" for a definition that supports
 * {@code ?}.
 */
final class CronSchedule {
  /** Longer expressions are refused outright; no sensible one comes near. */
  static final int MAX_LENGTH = 200;

  private static final CronParser FIVE_FIELDS = new CronParser(definition(false));
  private static final CronParser SIX_FIELDS = new CronParser(definition(true));

  private final ExecutionTime times;

  private CronSchedule(ExecutionTime times) {
    this.times = times;
  }

  /** The schedule, or empty when the expression is not a valid cron expression. */
  static Optional<CronSchedule> parse(String expression) {
    if (expression == null) {
      return Optional.empty();
    }
    String trimmed = expression.strip();
    if (trimmed.isEmpty() || trimmed.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String[] fields = trimmed.split("\\s+");
    StringBuilder normalised = new StringBuilder();
    for (String field : fields) {
      if (normalised.length() > 0) {
        normalised.append(' ');
      }
      if (field.startsWith("@")) {
        normalised.append(field.toLowerCase(Locale.ROOT)); // nicknames are lower case in cron-utils
      } else {
        normalised.append(field.equals("?") ? "*" : field.toUpperCase(Locale.ROOT));
      }
    }
    CronParser parser = fields.length == 6 ? SIX_FIELDS : FIVE_FIELDS;
    try {
      return Optional.of(new CronSchedule(ExecutionTime.forCron(parse(parser, normalised.toString()).validate())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** cron-utils does not promise that a parser may be shared between threads; parsing is rare and quick. */
  private static synchronized com.cronutils.model.Cron parse(CronParser parser, String expression) {
    return parser.parse(expression);
  }

  /**
   * The first time strictly after {@code after} (counted from its whole second), in the given zone's local time, or
   * empty when the expression never fires again (for example {@code 0 0 31 2 *}).
   */
  Optional<Instant> nextAfter(Instant after, ZoneId zone) {
    ZonedDateTime from = after.truncatedTo(ChronoUnit.SECONDS).atZone(zone);
    return times.nextExecution(from).map(ZonedDateTime::toInstant);
  }

  private static CronDefinition definition(boolean seconds) {
    CronDefinitionBuilder builder = CronDefinitionBuilder.defineCron();
    if (seconds) {
      builder = builder.withSeconds().withValidRange(0, 59).withStrictRange().and();
    }
    return builder
        .withMinutes().withValidRange(0, 59).withStrictRange().and()
        .withHours().withValidRange(0, 23).withStrictRange().and()
        .withDayOfMonth().withValidRange(1, 31).supportsL().supportsW().supportsLW().withStrictRange().and()
        .withMonth().withValidRange(1, 12).withStrictRange().and()
        .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).supportsHash().supportsL()
            .withStrictRange().and()
        .withSupportedNicknameYearly()
        .withSupportedNicknameAnnually()
        .withSupportedNicknameMonthly()
        .withSupportedNicknameWeekly()
        .withSupportedNicknameDaily()
        .withSupportedNicknameMidnight()
        .withSupportedNicknameHourly()
        .instance();
  }
}
