package otterbot.provider.minilm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * all-MiniLM-L6-v2 in an ONNX Runtime session: text in, a 384-float unit vector out (mean of the last hidden state over
 * the tokens, then L2-normalised, as sentence-transformers does).
 *
 * <p>Thread-safe: {@link OrtSession#run} may be called concurrently. {@link #close()} waits for runs in flight, since
 * closing a session under a running call would free native memory it is using.
 */
final class MiniLmModel implements AutoCloseable {
  /** Where bnd puts the model files inside the bundle (see bnd.bnd). */
  static final String MODEL_RESOURCE = "/model/all-minilm-l6-v2-q.onnx";
  static final String TOKENIZER_RESOURCE = "/model/all-minilm-l6-v2-q-tokenizer.json";
  static final int DIMENSIONS = 384;
  /** BERT's 512 positions, less {@code [CLS]} and {@code [SEP]}. */
  static final int WINDOW = 510;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final WordPieceTokenizer tokenizer;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private MiniLmModel(OrtEnvironment env, OrtSession session, WordPieceTokenizer tokenizer) {
    this.env = env;
    this.session = session;
    this.tokenizer = tokenizer;
  }

  /** Loads the model and its tokenizer from this class's resources (the bundle's, inside a framework). */
  static MiniLmModel load() throws IOException, OrtException {
    return load(MODEL_RESOURCE, TOKENIZER_RESOURCE);
  }

  /** Loads from other resources: the unit tests read the files straight out of the langchain4j jar. */
  static MiniLmModel load(String modelResource, String tokenizerResource) throws IOException, OrtException {
    byte[] model;
    try (InputStream in = resource(modelResource)) {
      model = in.readAllBytes();
    }
    WordPieceTokenizer tokenizer;
    try (InputStream in = resource(tokenizerResource)) {
      tokenizer = WordPieceTokenizer.read(in);
    }
    // The environment is a JVM-wide singleton owned by ONNX Runtime (on the launcher's class path); never close it.
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // ONNX Runtime's worker threads spin between runs by default, which burns a core of a small shared server for
      // nothing; an embedding is a few milliseconds either way.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      return new MiniLmModel(env, env.createSession(model, options), tokenizer);
    }
  }

  static InputStream resource(String name) throws IOException {
    InputStream in = MiniLmModel.class.getResourceAsStream(name);
    if (in == null) {
      throw new IOException("the bundle does not contain " + name);
    }
    return in;
  }

  WordPieceTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * The text's unit vector. A text of more than {@link #WINDOW} tokens is cut into windows that are embedded one by
   * one and averaged, weighted by their token counts (langchain4j's approach); an empty text embeds {@code [CLS][SEP]}.
   *
   * @throws IllegalStateException when the model was closed
   * @throws InterruptedException when the thread is interrupted between two windows
   */
  float[] embed(String text) throws OrtException, InterruptedException {
    int[] ids = tokenizer.tokenize(text);
    float[] sum = new float[DIMENSIONS];
    int start = 0;
    do {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      int end = windowEnd(ids, start);
      float[] window = run(ids, start, end);
      int weight = Math.max(1, end - start);
      for (int i = 0; i < DIMENSIONS; i++) {
        sum[i] += window[i] * weight;
      }
      start = end;
    } while (start < ids.length);
    return normalize(sum);
  }

  /**
   * The end of the window starting at {@code start}: at most {@link #WINDOW} tokens, moved back to the start of a word
   * (a {@code ##} continuation piece stays with its word) unless the word alone fills the window.
   */
  private int windowEnd(int[] ids, int start) {
    int end = Math.min(ids.length, start + WINDOW);
    if (end == ids.length) {
      return end;
    }
    int cut = end;
    while (cut > start && tokenizer.isContinuation(ids[cut])) {
      cut--;
    }
    return cut > start ? cut : end;
  }

  /** Mean of the last hidden state of {@code [CLS] ids[start..end) [SEP]}; no padding, so every token counts. */
  private float[] run(int[] ids, int start, int end) throws OrtException {
    int n = end - start + 2;
    long[][] inputIds = new long[1][n];
    long[][] mask = new long[1][n];
    long[][] types = new long[1][n];
    inputIds[0][0] = WordPieceTokenizer.CLS;
    for (int i = start; i < end; i++) {
      inputIds[0][i - start + 1] = ids[i];
    }
    inputIds[0][n - 1] = WordPieceTokenizer.SEP;
    Arrays.fill(mask[0], 1);
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("the embedding model was closed");
      }
      try (OnnxTensor idsTensor = OnnxTensor.createTensor(env, inputIds);
          OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask);
          OnnxTensor typesTensor = OnnxTensor.createTensor(env, types);
          OrtSession.Result result = session.run(Map.of(
              "input_ids", idsTensor, "attention_mask", maskTensor, "token_type_ids", typesTensor))) {
        float[][] hidden = ((float[][][]) result.get(0).getValue())[0];
        float[] mean = new float[DIMENSIONS];
        for (float[] token : hidden) {
          for (int i = 0; i < DIMENSIONS; i++) {
            mean[i] += token[i];
          }
        }
        for (int i = 0; i < DIMENSIONS; i++) {
          mean[i] /= hidden.length;
        }
        return mean;
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  private static float[] normalize(float[] vector) {
    double norm = 0;
    for (float v : vector) {
      norm += (double) v * v;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) {
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) (vector[i] / norm);
      }
    }
    return vector;
  }

  /** Frees the session's native memory once the runs in flight are done; later calls fail. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      session.close();
    } catch (OrtException e) {
      // Nothing to do about it: the session is gone either way.
    } finally {
      lock.writeLock().unlock();
    }
  }
}
