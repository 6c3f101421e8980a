package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SseParserTest {
  static List<SseEvent> parse(String... lines) {
    SseParser parser = new SseParser();
    List<SseEvent> events = new ArrayList<>();
    for (String line : lines) {
      SseEvent event = parser.line(line);
      if (event != null) {
        events.add(event);
      }
    }
    SseEvent last = parser.finish();
    if (last != null) {
      events.add(last);
    }
    return events;
  }

  @Test
  void anEventIsCompleteAtItsBlankLine() {
    SseParser parser = new SseParser();
    assertNull(parser.line("data: {\"a\":1}"));
    assertEquals(new SseEvent("message", "{\"a\":1}"), parser.line(""));
  }

  @Test
  void readsEventNamesAndJoinsDataLines() {
    assertEquals(List.of(new SseEvent("content_block_delta", "one\ntwo"), new SseEvent("message", "three")),
        parse("event: content_block_delta", "data: one", "data: two", "", "data: three", ""));
  }

  @Test
  void skipsCommentsIdsAndEmptyEvents() {
    assertEquals(List.of(new SseEvent("message", "x")), parse(": keep-alive", "", "id: 7", "retry: 10", "", "data: x", ""));
  }

  @Test
  void takesTheValueAfterOneOptionalSpace() {
    assertEquals(List.of(new SseEvent("message", "no space"), new SseEvent("message", " two spaces")),
        parse("data:no space", "", "data:  two spaces", ""));
  }

  @Test
  void onlyFieldsNamedExactlyDataOrEventCountAndEmptyDataLinesAreJoinedToo() {
    assertEquals(List.of(new SseEvent("message", "\nx\n"), new SseEvent("message", ""), new SseEvent("eventful", "y")),
        parse("data:", "data: x", "data", "", "database: no", "data", "", "events: no", "event:eventful", "data: y", ""));
  }

  @Test
  void keepsAnEventWhoseBlankLineNeverCame() {
    assertEquals(List.of(new SseEvent("message", "[DONE]")), parse("data: [DONE]"));
  }

  @Test
  void ignoresAByteOrderMarkAtTheStart() {
    assertEquals(List.of(new SseEvent("ping", "{}")), parse("\uFEFFevent: ping", "data: {}", ""));
  }
}
