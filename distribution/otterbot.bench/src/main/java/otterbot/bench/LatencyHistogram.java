package otterbot.bench;

/**
 * Latencies in nanoseconds, bucketed like HdrHistogram with two significant binary digits short of three decimal
 * ones: exact below 256 ns, then 128 buckets per power of two (relative error under 0.8 %). Recording is an array
 * increment, so each load thread owns one and they are {@link #add merged} at the end. Not thread-safe.
 */
final class LatencyHistogram {
  private static final int LINEAR = 256;
  private static final int SUB = 128;
  private static final int MAX_MSB = 39; // 2^40 ns is about 18 minutes; longer values are clamped
  private static final int BUCKETS = LINEAR + (MAX_MSB - 7) * SUB;

  private final long[] counts = new long[BUCKETS];
  private long total;
  private long min = Long.MAX_VALUE;
  private long max;
  private double sum;

  void record(long nanos) {
    long v = Math.max(0, nanos);
    counts[index(v)]++;
    total++;
    sum += v;
    if (v < min) {
      min = v;
    }
    if (v > max) {
      max = v;
    }
  }

  void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    sum += other.sum;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
  }

  long count() {
    return total;
  }

  long maxNanos() {
    return total == 0 ? 0 : max;
  }

  long minNanos() {
    return total == 0 ? 0 : min;
  }

  double meanNanos() {
    return total == 0 ? 0 : sum / total;
  }

  /**
   * The smallest recorded value {@code v} such that {@code percentile} % of all values are {@code <= v}, reported as
   * the highest value of its bucket (never above the true maximum).
   */
  long percentileNanos(double percentile) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(percentile / 100.0 * total);
    rank = Math.max(1, Math.min(total, rank));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(max, Math.max(min, highestInBucket(i)));
      }
    }
    return max;
  }

  static int index(long v) {
    if (v < LINEAR) {
      return (int) v;
    }
    int msb = 63 - Long.numberOfLeadingZeros(v);
    if (msb > MAX_MSB) {
      return BUCKETS - 1;
    }
    int shift = msb - 7;
    int top = (int) (v >>> shift); // 128..255
    return LINEAR + (shift - 1) * SUB + (top - SUB);
  }

  static long highestInBucket(int index) {
    if (index < LINEAR) {
      return index;
    }
    int shift = (index - LINEAR) / SUB + 1;
    int top = (index - LINEAR) % SUB + SUB;
    return (((long) top + 1) << shift) - 1;
  }
}
