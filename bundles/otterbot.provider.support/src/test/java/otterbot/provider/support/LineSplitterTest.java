package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LineSplitterTest {
  private final LineSplitter splitter = new LineSplitter(64);
  private final List<String> lines = new ArrayList<>();

  private void feed(byte[]... parts) {
    for (byte[] part : parts) {
      ByteBuffer buffer = ByteBuffer.wrap(part);
      splitter.feed(buffer, lines::add, () -> false);
      assertEquals(0, buffer.remaining(), "every byte is taken");
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everySseLineEndingEndsALineAndEmptyLinesAreKept() {
    feed(bytes("data: a\ndata: b\r\ndata: c\r\rdata: d\n\n"));
    assertEquals(List.of("data: a", "data: b", "data: c", "", "data: d", ""), lines);
    assertNull(splitter.finish());
  }

  @Test
  void aCrlfSplitBetweenTwoBuffersIsOneLineEnd() {
    feed(bytes("one\r"), bytes("\ntwo\r"), bytes("\r\nthree\n"));
    assertEquals(List.of("one", "two", "", "three"), lines);
  }

  @Test
  void linesAndCharactersSplitBetweenBuffersAreJoined() {
    byte[] text = bytes("data: {\"content\":\"é→🦦\"}\ndata: [DONE]\n");
    for (int cut = 1; cut < text.length; cut++) {
      lines.clear();
      var fresh = new LineSplitter(64);
      for (byte[] part : List.of(java.util.Arrays.copyOfRange(text, 0, cut),
          java.util.Arrays.copyOfRange(text, cut, text.length))) {
        fresh.feed(ByteBuffer.wrap(part), lines::add, () -> false);
      }
      assertEquals(List.of("data: {\"content\":\"é→🦦\"}", "data: [DONE]"), lines, "cut at " + cut);
    }
  }

  @Test
  void aLastLineWithoutTerminatorComesAtTheEnd() {
    feed(bytes("data: x\ndata: y"));
    assertEquals(List.of("data: x"), lines);
    assertEquals("data: y", splitter.finish());
    assertNull(splitter.finish());
  }

  @Test
  void directBuffersAreReadToo() {
    ByteBuffer direct = ByteBuffer.allocateDirect(16);
    direct.put(bytes("a\nbc\n")).flip();
    splitter.feed(direct, lines::add, () -> false);
    assertEquals(List.of("a", "bc"), lines);
  }

  @Test
  void readOnlyBuffersAsTheHttpClientGivesThemAreReadLineByLineWithoutLeftovers() {
    // Read-only buffers have no array: their lines are decoded through the splitter's own array, which a shorter line
    // must not read beyond, and which a line cut between two buffers must not find overwritten.
    String first = "data: " + "é".repeat(20);
    var big = new LineSplitter(1024);
    big.feed(ByteBuffer.wrap(bytes(first + "\nshort\n" + "w".repeat(300) + "\nhalf")).asReadOnlyBuffer(), lines::add,
        () -> false);
    big.feed(ByteBuffer.wrap(bytes("-line\nend\n")).asReadOnlyBuffer(), lines::add, () -> false);
    assertEquals(List.of(first, "short", "w".repeat(300), "half-line", "end"), lines);
    var small = new LineSplitter(64);
    small.feed(ByteBuffer.wrap(bytes("v".repeat(300) + "\nv\n")).asReadOnlyBuffer(), lines::add, () -> false);
    assertEquals(List.of("v".repeat(300), "v"), lines.subList(5, 7), "a whole line in one buffer, as before");
  }

  @Test
  void feedingStopsAfterTheLineThatAskedForItAndGoesOnWhereItStopped() {
    ByteBuffer buffer = ByteBuffer.wrap(bytes("a\nb\nc\n"));
    splitter.feed(buffer, lines::add, () -> lines.size() == 1);
    assertEquals(List.of("a"), lines);
    assertEquals(4, buffer.remaining());
    splitter.feed(buffer, lines::add, () -> false);
    assertEquals(List.of("a", "b", "c"), lines);
  }

  @Test
  void readOnlyBuffersStopAndGoOnWhereTheyStoppedAndOnesBeyondTheKeptCopyAreReadWhole() {
    ByteBuffer buffer = ByteBuffer.wrap(bytes("a\nb\r\nc\n")).asReadOnlyBuffer();
    splitter.feed(buffer, lines::add, () -> lines.size() == 2);
    assertEquals(List.of("a", "b"), lines);
    assertEquals(3, buffer.remaining(), "positioned after the CR that ended the line; its LF is skipped by the next feed");
    splitter.feed(buffer, lines::add, () -> false);
    assertEquals(List.of("a", "b", "c"), lines);

    // A buffer larger than the copy kept between feeds is copied into one of its own, then the kept one serves again.
    var big = new LineSplitter(1024);
    var text = new StringBuilder();
    int count = LineSplitter.MAX_KEPT_COPY / 10 + 7;
    for (int i = 0; i < count; i++) {
      text.append(String.format("line %04d\n", i % 10_000));
    }
    text.append("cut ");
    List<String> got = new ArrayList<>();
    big.feed(ByteBuffer.wrap(bytes(text.toString())).asReadOnlyBuffer(), got::add, () -> false);
    big.feed(ByteBuffer.wrap(bytes("in two\nlast\n")).asReadOnlyBuffer(), got::add, () -> false);
    assertEquals(count + 2, got.size());
    assertEquals("line 0000", got.get(0));
    assertEquals(String.format("line %04d", (count - 1) % 10_000), got.get(count - 1));
    assertEquals(List.of("cut in two", "last"), got.subList(count, count + 2));
  }

  @Test
  void aLineLongerThanTheLimitIsRefusedWhetherItArrivesWholeOrInParts() {
    assertThrows(LineSplitter.LineTooLong.class, () -> feed(bytes("x".repeat(65))));
    var parts = new LineSplitter(64);
    parts.feed(ByteBuffer.wrap(bytes("y".repeat(40))), lines::add, () -> false);
    assertThrows(LineSplitter.LineTooLong.class,
        () -> parts.feed(ByteBuffer.wrap(bytes("y".repeat(40) + "\n")), lines::add, () -> false));
    var exact = new LineSplitter(64);
    exact.feed(ByteBuffer.wrap(bytes("z".repeat(30))), lines::add, () -> false);
    exact.feed(ByteBuffer.wrap(bytes("z".repeat(34) + "\n")), lines::add, () -> false);
    assertEquals(List.of("z".repeat(64)), lines, "64 bytes is within the limit");
  }
}
