package otterbot.assets.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import otterbot.assets.internal.AssetRequests.Full;
import otterbot.assets.internal.AssetRequests.Part;
import otterbot.assets.internal.AssetRequests.Unsatisfiable;

/** Raw paths, content types, validators and ranges of the file server. */
class AssetRequestsTest {
  @Test
  void rawPathsThatCouldTraverseAreRefused() {
    assertEquals("workers/pete/characters/Pete.glb", AssetRequests.decode("workers/pete/characters/Pete.glb"));
    for (String raw : List.of("../etc/passwd", "workers/../../etc/passwd", "./a.glb", "a/./b.glb", "%2e%2e/etc/passwd",
        "%2E%2E/x", "a%2Fb.glb", "a%2fb", "a%5Cb", "a%5cb", "a\\b", "..%5c..%5cetc", "a%00.glb", "a\0b", "a//b",
        "/a", "a/", "", "a%", "a%zz", "a%C3", "%ff", "a/.%2e/b", "a/..", "a/.")) {
      assertNull(AssetRequests.decode(raw), raw);
    }
  }

  @Test
  void contentTypesByExtension() {
    assertEquals("model/gltf-binary", AssetRequests.contentType("a/B.GLB"));
    assertEquals("model/gltf+json", AssetRequests.contentType("a/b.gltf"));
    assertEquals("application/octet-stream", AssetRequests.contentType("a/b.bin"));
    assertEquals("image/png", AssetRequests.contentType("a/artwork.png"));
    assertEquals("image/jpeg", AssetRequests.contentType("a/t.jpg"));
    assertEquals("image/ktx2", AssetRequests.contentType("a/t.ktx2"));
    assertEquals("image/webp", AssetRequests.contentType("a/t.webp"));
    assertEquals("application/json", AssetRequests.contentType("scenes/a.json"));
    assertEquals("application/octet-stream", AssetRequests.contentType("a/readme.html"));
    assertEquals("application/octet-stream", AssetRequests.contentType("a.d/noext"));
  }

  @Test
  void theEtagIsStrongAndChangesWithEveryPart() {
    String tag = AssetRequests.etag("home", "a.glb", 10, 1000);
    assertTrue(tag.startsWith("\"") && tag.endsWith("\"") && !tag.startsWith("W/"), tag);
    assertEquals(tag, AssetRequests.etag("home", "a.glb", 10, 1000));
    assertNotEquals(tag, AssetRequests.etag("bundle", "a.glb", 10, 1000));
    assertNotEquals(tag, AssetRequests.etag("home", "b.glb", 10, 1000));
    assertNotEquals(tag, AssetRequests.etag("home", "a.glb", 11, 1000));
    assertNotEquals(tag, AssetRequests.etag("home", "a.glb", 10, 2000));
  }

  @Test
  void ifNoneMatchComparesWeaklyAndTakesLists() {
    String tag = "\"abc\"";
    assertTrue(AssetRequests.noneMatchHits("\"abc\"", tag));
    assertTrue(AssetRequests.noneMatchHits("W/\"abc\"", tag));
    assertTrue(AssetRequests.noneMatchHits("\"x\", \"abc\"", tag));
    assertTrue(AssetRequests.noneMatchHits("*", tag));
    assertFalse(AssetRequests.noneMatchHits("\"abd\"", tag));
    assertFalse(AssetRequests.noneMatchHits(null, tag));
  }

  @Test
  void ifModifiedSinceToTheSecond() {
    long t = 1_700_000_000_500L;
    assertTrue(AssetRequests.notModifiedSince(AssetRequests.httpDate(t), t));
    assertFalse(AssetRequests.notModifiedSince(AssetRequests.httpDate(t - 2000), t));
    assertFalse(AssetRequests.notModifiedSince("yesterday", t));
  }

  @Test
  void singleRangesInEveryForm() {
    assertEquals(new Part(0, 9), AssetRequests.range("bytes=0-9", 100));
    assertEquals(new Part(90, 99), AssetRequests.range("bytes=90-", 100));
    assertEquals(new Part(90, 99), AssetRequests.range("bytes=90-500", 100));
    assertEquals(new Part(80, 99), AssetRequests.range("bytes=-20", 100));
    assertEquals(new Part(0, 99), AssetRequests.range("bytes=-500", 100));
    assertEquals("bytes 0-9/100", new Part(0, 9).contentRange(100));
    assertEquals(10, new Part(0, 9).length());
  }

  @Test
  void unsatisfiableAndIgnoredRanges() {
    assertEquals(new Unsatisfiable(), AssetRequests.range("bytes=100-", 100));
    assertEquals(new Unsatisfiable(), AssetRequests.range("bytes=200-300", 100));
    assertEquals(new Unsatisfiable(), AssetRequests.range("bytes=-0", 100));
    assertEquals(new Unsatisfiable(), AssetRequests.range("bytes=0-", 0));
    for (String ignored : List.of("bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=-", "bytes=1",
        "bytes=99999999999999999999999-")) {
      assertEquals(new Full(), AssetRequests.range(ignored, 100), ignored);
    }
    assertEquals(new Full(), AssetRequests.range(null, 100));
  }

  @Test
  void ifRangeNeedsTheSameEntity() {
    String tag = "\"abc\"";
    long t = 1_700_000_000_000L;
    assertTrue(AssetRequests.ifRangeHolds(null, tag, t));
    assertTrue(AssetRequests.ifRangeHolds("\"abc\"", tag, t));
    assertFalse(AssetRequests.ifRangeHolds("\"old\"", tag, t));
    assertFalse(AssetRequests.ifRangeHolds("W/\"abc\"", tag, t), "a weak tag never matches");
    assertTrue(AssetRequests.ifRangeHolds(AssetRequests.httpDate(t), tag, t));
    assertFalse(AssetRequests.ifRangeHolds(AssetRequests.httpDate(t - 5000), tag, t));
  }
}
