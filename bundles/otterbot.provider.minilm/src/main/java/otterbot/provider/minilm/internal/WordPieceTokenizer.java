package otterbot.provider.minilm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * BERT's uncased WordPiece tokenizer, as HuggingFace's {@code tokenizers} runs it for a {@code tokenizer.json} with a
 * {@code BertNormalizer} (clean text, isolate CJK, strip accents, lower-case), a {@code BertPreTokenizer} (whitespace
 * and punctuation) and a {@code WordPiece} model. Pure Java on purpose: the Rust tokenizer would be a second native
 * library with a fixed extraction path, which breaks on a bundle refresh. Checked id for id against the Rust
 * tokenizer in {@code WordPieceTokenizerTest}.
 *
 * <p>Immutable and thread-safe.
 */
final class WordPieceTokenizer {
  static final int CLS = 101;
  static final int SEP = 102;
  private static final String UNK_TOKEN = "[UNK]";
  private static final String CONTINUATION = "##";

  private final Map<String, Integer> vocab;
  private final int unk;
  private final int maxCharsPerWord;
  /** By id: whether the piece continues a word ({@code ##...}). */
  private final boolean[] continuation;

  private WordPieceTokenizer(Map<String, Integer> vocab, int maxCharsPerWord) {
    this.vocab = vocab;
    this.unk = vocab.get(UNK_TOKEN);
    this.maxCharsPerWord = maxCharsPerWord;
    this.continuation = new boolean[vocab.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1];
    vocab.forEach((piece, id) -> continuation[id] = piece.startsWith(CONTINUATION));
  }

  /** Reads the vocabulary (and the longest word it splits) from a HuggingFace {@code tokenizer.json}. */
  static WordPieceTokenizer read(InputStream tokenizerJson) throws IOException {
    JsonNode model = new ObjectMapper().readTree(tokenizerJson).path("model");
    JsonNode vocabNode = model.path("vocab");
    if (!"WordPiece".equals(model.path("type").textValue()) || !vocabNode.isObject() || !vocabNode.has(UNK_TOKEN)) {
      throw new IOException("not a WordPiece tokenizer.json with an [UNK] token");
    }
    Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
    for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      vocab.put(entry.getKey(), entry.getValue().intValue());
    }
    return new WordPieceTokenizer(Map.copyOf(vocab), model.path("max_input_chars_per_word").asInt(100));
  }

  /** The WordPiece ids of the text, without {@code [CLS]} and {@code [SEP]}. */
  int[] tokenize(String text) {
    List<String> words = words(normalize(text));
    int[] ids = new int[Math.max(16, words.size() * 2)];
    int count = 0;
    List<Integer> pieces = new ArrayList<>();
    for (String word : words) {
      pieces.clear();
      wordPieces(word, pieces);
      for (int id : pieces) {
        if (count == ids.length) {
          ids = Arrays.copyOf(ids, ids.length * 2);
        }
        ids[count++] = id;
      }
    }
    return Arrays.copyOf(ids, count);
  }

  /** Whether the id is a piece that continues a word, so a window must not start with it. */
  boolean isContinuation(int id) {
    return id >= 0 && id < continuation.length && continuation[id];
  }

  /**
   * BertNormalizer: drops NUL, U+FFFD and control characters, turns whitespace into spaces, puts spaces around CJK
   * ideographs, strips accents (NFD, then drops nonspacing marks) and lower-cases, in that order.
   */
  static String normalize(String text) {
    StringBuilder cleaned = new StringBuilder(text.length() + 16);
    text.codePoints().forEach(c -> {
      if (c == 0 || c == 0xFFFD || isControl(c)) {
        return;
      }
      if (isWhitespace(c)) {
        cleaned.append(' ');
      } else if (isCjk(c)) {
        cleaned.append(' ').appendCodePoint(c).append(' ');
      } else {
        cleaned.appendCodePoint(c);
      }
    });
    String decomposed = Normalizer.normalize(cleaned, Normalizer.Form.NFD);
    StringBuilder stripped = new StringBuilder(decomposed.length());
    decomposed.codePoints()
        .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
        .forEach(stripped::appendCodePoint);
    return stripped.toString().toLowerCase(Locale.ROOT);
  }

  /** BertPreTokenizer: splits on whitespace and makes every punctuation character a word of its own. */
  static List<String> words(String normalized) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    normalized.codePoints().forEach(c -> {
      if (isWhitespace(c)) {
        flush(word, words);
      } else if (isPunctuation(c)) {
        flush(word, words);
        words.add(new String(Character.toChars(c)));
      } else {
        word.appendCodePoint(c);
      }
    });
    flush(word, words);
    return words;
  }

  /** Greedy longest-match-first; a word with an unmatchable rest, or too long, is one {@code [UNK]}. */
  private void wordPieces(String word, List<Integer> out) {
    int length = word.codePointCount(0, word.length());
    if (length > maxCharsPerWord) {
      out.add(unk);
      return;
    }
    int start = 0;
    int first = out.size();
    while (start < word.length()) {
      int end = word.length();
      Integer match = null;
      while (end > start) {
        String piece = word.substring(start, end);
        match = vocab.get(start > 0 ? CONTINUATION + piece : piece);
        if (match != null) {
          break;
        }
        end = word.offsetByCodePoints(end, -1);
      }
      if (match == null) {
        out.subList(first, out.size()).clear();
        out.add(unk);
        return;
      }
      out.add(match);
      start = end;
    }
  }

  private static void flush(StringBuilder word, List<String> words) {
    if (word.length() > 0) {
      words.add(word.toString());
      word.setLength(0);
    }
  }

  /** Rust's {@code char::is_whitespace} (the White_Space property), with tab and line breaks. */
  private static boolean isWhitespace(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85
        || Character.isSpaceChar(c);
  }

  /** HuggingFace's "other" categories (Cc, Cf, Cs, Co, Cn), except tab and line breaks, which count as whitespace. */
  private static boolean isControl(int c) {
    if (c == '\t' || c == '\n' || c == '\r') {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
        || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
  }

  /** ASCII punctuation (which includes symbols such as {@code $ + < = > ^ ` | ~}) or a Unicode P* character. */
  private static boolean isPunctuation(int c) {
    if (c >= 33 && c <= 47 || c >= 58 && c <= 64 || c >= 91 && c <= 96 || c >= 123 && c <= 126) {
      return true;
    }
    switch (Character.getType(c)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  /** The CJK Unified Ideographs blocks BERT isolates (not Hiragana, Katakana or Hangul, which are written with spaces). */
  private static boolean isCjk(int c) {
    return c >= 0x4E00 && c <= 0x9FFF || c >= 0x3400 && c <= 0x4DBF || c >= 0x20000 && c <= 0x2A6DF
        || c >= 0x2A700 && c <= 0x2B73F || c >= 0x2B740 && c <= 0x2B81F || c >= 0x2B920 && c <= 0x2CEAF
        || c >= 0xF900 && c <= 0xFAFF || c >= 0x2F800 && c <= 0x2FA1F;
  }
}
