package otterbot.memory.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;

import otterbot.api.persistence.StoredMemory;

/**
 * The search index over every agent's current (not superseded) memories: Lucene BM25 full text (English analysis:
 * stemming, stop words) and HNSW vector search, one vector field per embedding model so that vectors of different
 * models are never compared. It lives in memory and is rebuilt from the database at start: the database is the
 * source of truth, the index only speeds up the search.
 *
 * <p>Writes are visible to the next search: a write marks the index stale and a search refreshes it first, so a burst
 * of writes costs one refresh.
 */
final class MemoryIndex implements AutoCloseable {
  static final String ID = "id";
  static final String AGENT = "agent";
  static final String CONTENT = "content";
  /** Upstream's query sanitising keeps the first 20 tokens (§7.2). */
  static final int MAX_QUERY_TERMS = 20;

  /** A search candidate: its BM25 score (0 when found by vector only) and its vector score (-1 when by text only). */
  record Candidate(String id, float fts, float cosine) {}

  private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
  /**
   * Lucene's English stop words plus pronouns, question words and auxiliaries: "what is my job" is about "job". Left
   * in, a match on "my" alone would count as a text match for every memory that starts with "My".
   */
  static final CharArraySet STOP_WORDS = new CharArraySet(List.of("a", "about", "after", "all", "also", "am", "an",
      "and", "any", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could", "did", "do", "does",
      "doing", "done", "for", "from", "had", "has", "have", "he", "her", "here", "hers", "him", "his", "how", "i",
      "if", "in", "into", "is", "it", "its", "just", "me", "might", "mine", "must", "my", "myself", "no", "not", "of",
      "on", "or", "our", "ours", "please", "shall", "she", "should", "so", "some", "such", "than", "that", "the",
      "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "to", "too", "us", "very", "was",
      "we", "were", "what", "when", "where", "which", "who", "whom", "whose", "why", "will", "with", "would", "you",
      "your", "yours"), true);

  private final Analyzer analyzer = new EnglishAnalyzer(STOP_WORDS);
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final AtomicBoolean stale = new AtomicBoolean();
  /** False while the database searches the vectors (pgvector): the index then holds text only. */
  private volatile boolean keepVectors = true;

  MemoryIndex() {
    try {
      IndexWriterConfig config = new IndexWriterConfig(analyzer);
      config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
      config.setRAMBufferSizeMB(64);
      config.setCommitOnClose(false);
      writer = new IndexWriter(directory, config);
      searchers = new SearcherManager(writer, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether {@link #put} indexes vectors; set before the index is built. */
  void keepVectors(boolean keep) {
    keepVectors = keep;
  }

  /** The name of the vector field of an embedding model. */
  static String vectorField(String model) {
    return "v:" + model;
  }

  /** Adds or replaces a memory; a superseded one is removed instead. */
  void put(StoredMemory memory) {
    try {
      if (memory.supersededBy() != null) {
        writer.deleteDocuments(new Term(ID, memory.id()));
      } else {
        Document doc = new Document();
        doc.add(new StringField(ID, memory.id(), Field.Store.YES));
        doc.add(new StringField(AGENT, memory.agentId(), Field.Store.NO));
        doc.add(new TextField(CONTENT, memory.content(), Field.Store.NO));
        if (keepVectors && memory.embedding() != null && memory.embeddingModel() != null) {
          doc.add(new KnnFloatVectorField(vectorField(memory.embeddingModel()), memory.embedding(),
              VectorSimilarityFunction.DOT_PRODUCT));
        }
        writer.updateDocument(new Term(ID, memory.id()), doc);
      }
      stale.set(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void remove(String id) {
    try {
      writer.deleteDocuments(new Term(ID, id));
      stale.set(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void removeAgent(String agentId) {
    try {
      writer.deleteDocuments(new Term(AGENT, agentId));
      stale.set(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything, for a rebuild. */
  void clear() {
    try {
      writer.deleteAll();
      stale.set(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The query's terms as upstream sanitises them (§7.2: lower case, letters and digits only, tokens of two or more
   * characters, the first 20), then through the index's English analysis.
   */
  List<String> terms(String query) {
    String cleaned = query.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} ]+", " ");
    var tokens = new ArrayList<String>();
    for (String token : cleaned.trim().split("\\s+")) {
      if (token.length() >= 2 && tokens.size() < MAX_QUERY_TERMS) {
        tokens.add(token);
      }
    }
    Set<String> terms = new LinkedHashSet<>();
    try (TokenStream stream = analyzer.tokenStream(CONTENT, String.join(" ", tokens))) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      stream.reset();
      while (stream.incrementToken()) {
        terms.add(term.toString());
      }
      stream.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(terms);
  }

  /**
   * Full text and vector candidates, each side at most {@code perSide}, merged by id.
   *
   * @param agentId one agent, or null for all
   * @param vector the query's unit vector, or null for full text only
   * @param model the model that made {@code vector}
   */
  List<Candidate> search(String agentId, String query, float[] vector, String model, int perSide) {
    return withSearcher(searcher -> {
      Map<String, Candidate> found = new LinkedHashMap<>();
      Query filter = agentId == null ? null : new TermQuery(new Term(AGENT, agentId));
      List<String> terms = terms(query);
      if (!terms.isEmpty()) {
        var text = new BooleanQuery.Builder();
        for (String term : terms) {
          text.add(new TermQuery(new Term(CONTENT, term)), BooleanClause.Occur.SHOULD);
        }
        text.setMinimumNumberShouldMatch(1);
        Query q = text.build();
        if (filter != null) {
          q = new BooleanQuery.Builder().add(q, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER)
              .build();
        }
        TopDocs top = searcher.search(q, perSide);
        for (ScoreDoc hit : top.scoreDocs) {
          String id = searcher.storedFields().document(hit.doc).get(ID);
          found.put(id, new Candidate(id, hit.score, -1));
        }
      }
      if (vector != null && model != null) {
        TopDocs top = searcher.search(new KnnFloatVectorQuery(vectorField(model), vector, perSide, filter),
            perSide);
        for (ScoreDoc hit : top.scoreDocs) {
          String id = searcher.storedFields().document(hit.doc).get(ID);
          // DOT_PRODUCT scores are (1 + cosine) / 2 for unit vectors.
          float cosine = 2 * hit.score - 1;
          found.merge(id, new Candidate(id, 0, cosine), (a, b) -> new Candidate(id, a.fts(), b.cosine()));
        }
      }
      return List.copyOf(found.values());
    });
  }

  /**
   * Whether any memory of the agent (any agent's for null) is searchable: a search of an agent without memories
   * then skips embedding its query, which would cost a model run (milliseconds of CPU, a load on the first one) on
   * every chat turn of a new agent for nothing.
   */
  boolean holds(String agentId) {
    return withSearcher(searcher -> agentId == null ? searcher.getIndexReader().numDocs() > 0
        : searcher.count(new TermQuery(new Term(AGENT, agentId))) > 0);
  }

  /** What a read does with the index's current searcher. */
  private interface Read<T> {
    T apply(IndexSearcher searcher) throws IOException;
  }

  /** Runs {@code read} on a searcher that sees every change made so far, and releases it afterwards. */
  private <T> T withSearcher(Read<T> read) {
    refresh();
    IndexSearcher searcher;
    try {
      searcher = searchers.acquire();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return read.apply(searcher);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        searchers.release(searcher);
      } catch (IOException e) {
        // released or not, the searcher is closed with the manager
      }
    }
  }

  private void refresh() {
    if (stale.getAndSet(false)) {
      try {
        searchers.maybeRefreshBlocking();
      } catch (IOException e) {
        stale.set(true);
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void close() {
    try {
      searchers.close();
      writer.rollback(); // nothing to keep: the index is rebuilt from the database at the next start
      directory.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
