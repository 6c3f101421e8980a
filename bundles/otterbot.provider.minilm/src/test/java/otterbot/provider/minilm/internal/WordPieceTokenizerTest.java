package otterbot.provider.minilm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

/**
 * The pure-Java tokenizer gives the same ids as HuggingFace's Rust tokenizer (through DJL) on the same tokenizer.json,
 * for texts chosen to hit every rule: punctuation and symbols, accents, CJK, emoji, digits, URLs, words too long or
 * not in the vocabulary, mixed case, control characters and runs of odd whitespace.
 */
class WordPieceTokenizerTest {
  /** The tokenizer.json at the root of the langchain4j model jar, which is on the test class path. */
  static final String TOKENIZER_JSON = "/all-minilm-l6-v2-q-tokenizer.json";

  private static WordPieceTokenizer tokenizer;
  private static HuggingFaceTokenizer reference;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = WordPieceTokenizerTest.class.getResourceAsStream(TOKENIZER_JSON)) {
      tokenizer = WordPieceTokenizer.read(in);
    }
    // DJL extracts its JNI library under this directory instead of ~/.djl.ai, and must not try to download anything.
    Path target = Path.of(System.getProperty("java.io.tmpdir"));
    Path build = Path.of("target");
    if (Files.isDirectory(build)) {
      target = build;
    }
    System.setProperty("DJL_CACHE_DIR", target.resolve("djl-cache").toAbsolutePath().toString());
    System.setProperty("ai.djl.offline", "true");
    Path json = Files.createTempFile(target, "tokenizer", ".json");
    try (InputStream in = WordPieceTokenizerTest.class.getResourceAsStream(TOKENIZER_JSON)) {
      Files.copy(in, json, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    // Neither truncation nor padding: the file asks for both (128 tokens), the server windows long texts itself.
    reference = HuggingFaceTokenizer.builder().optTokenizerPath(json).optAddSpecialTokens(false)
        .optTruncation(false).optPadding(false).build();
    Files.delete(json);
  }

  @AfterAll
  static void close() {
    if (reference != null) {
      reference.close();
    }
  }

  static final List<String> HAND_PICKED = List.of(
      "",
      "   ",
      "Hello, world!",
      "The quick brown fox jumps over the lazy dog.",
      "HELLO hello HeLLo",
      "Café naïve résumé coöperate façade",
      "Ångström Øresund Œuvre straße",
      "İstanbul ıi",
      "東京は日本の首都です。",
      "我爱自然语言处理",
      "한국어 텍스트",
      "カタカナ と ひらがな",
      "emoji 😀 🚀🚀 👩‍👩‍👧 ❤️ flags 🇩🇪",
      "numbers 3.14159 1,000,000 42nd 2026-12-06",
      "https://example.com/path?query=1&x=y#frag",
      "mail me at someone@example.org",
      "snake_case camelCase kebab-case PascalCase",
      "supercalifragilisticexpialidocious antidisestablishmentarianism",
      "a".repeat(100),
      "a".repeat(101),
      "x".repeat(250) + " tail",
      "tabs\tand\nnewlines\r\nand\u00a0nbsp\u2003em\u3000ideographic",
      "control\u0000chars\u0007here\u200bzero\u200dwidth\ufeffbom\ufffdreplacement",
      "quotes “curly” ‘single’ «guillemets» „low“",
      "dashes – — ‐ and ellipsis… and § ¶ † ‡",
      "math ∑ ∫ √ ≠ ≤ ≥ ± × ÷ °C",
      "currency $5 €10 £20 ¥30 ₹40",
      "code: if (x != y) { return a[i] + b->c; } // done",
      "<html><body class=\"x\">Hi</body></html>",
      "C++ and C# and F# and .NET",
      "ﬁ ligature ﬂ and fullwidth ＡＢＣ１２３",
      "Ελληνικά κείμενα με τόνους",
      "Русский текст с ёлкой",
      "עברית וערבית العربية",
      "हिन्दी पाठ",
      "ไทย",
      "mixed语言text混合",
      "don't won't it's y'all",
      "U.S.A. e.g. i.e. etc.",
      "#hashtag @mention $TICKER ~tilde ^caret |pipe `backtick`",
      "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙 𠀀𠀁 (astral CJK)",
      "the cat sat on the mat",
      "kitten",
      "quarterly revenue report");

  /** Hand-picked texts plus seeded random mixtures of the same ingredients; 250 texts in all. */
  static List<String> texts() {
    List<String> texts = new ArrayList<>(HAND_PICKED);
    String[] pieces = {
        "the", "Quick", "BROWN", "fox", "naïve", "Ünïcödé", "東京", "语言", "😀", "🚀", "42", "3.14", "https://a.b/c?d=e",
        "x_y", "can't", "...", "!!", "(", ")", "[", "]", "{", "}", "«", "»", "—", "-", "  ", "\t", "\n", "\u00a0",
        "supercalifragilistic", "tokenization", "unbelievably", "zzzzqqqq", "ﬁ", "Ω", "ß", "é", "e\u0301", "Ⅻ",
        "١٢٣", "٣", "👍🏽", "\u200d", "日本語", "한국", "αβγ", "Привет", "#", "$", "%", "&", "*", "+", "=", "/", "\\"};
    Random random = new Random(20261206);
    while (texts.size() < 250) {
      StringBuilder text = new StringBuilder();
      int count = 1 + random.nextInt(30);
      for (int i = 0; i < count; i++) {
        text.append(pieces[random.nextInt(pieces.length)]);
        if (random.nextInt(3) > 0) {
          text.append(' ');
        }
      }
      texts.add(text.toString());
    }
    return texts;
  }

  @Test
  void givesTheSameIdsAsHuggingFacesTokenizer() {
    List<String> texts = texts();
    assertTrue(texts.size() >= 200);
    List<String> mismatches = new ArrayList<>();
    for (String text : texts) {
      Encoding expected = reference.encode(text, false, false);
      long[] ids = expected.getIds();
      int[] actual = tokenizer.tokenize(text);
      long[] actualLong = Arrays.stream(actual).asLongStream().toArray();
      if (!Arrays.equals(ids, actualLong)) {
        mismatches.add(text + "\n  expected " + Arrays.toString(ids) + "\n  actual   " + Arrays.toString(actualLong)
            + "\n  tokens   " + Arrays.toString(expected.getTokens()));
      }
    }
    assertEquals(List.of(), mismatches, mismatches.size() + " of " + texts.size() + " texts differ");
  }

  @Test
  void splitsWordsIntoKnownPiecesAndMarksTheRestUnknown() {
    // "embeddings" -> em ##bed ##ding ##s in BERT's vocabulary; a word over 100 characters is one [UNK] (id 100).
    assertArrayEquals(new int[] {100}, tokenizer.tokenize("a".repeat(101)));
    int[] ids = tokenizer.tokenize("embeddings");
    assertTrue(ids.length > 1, "a word not in the vocabulary is split");
    for (int i = 1; i < ids.length; i++) {
      assertTrue(tokenizer.isContinuation(ids[i]), "pieces after the first continue the word");
    }
    assertTrue(!tokenizer.isContinuation(ids[0]));
  }
}
