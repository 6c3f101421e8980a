package otterbot.core.internal.bus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which agent is waiting for which: an edge A → B while a turn of A waits for B's answer. Requests to one agent are
 * answered one at a time, so a request that would close a cycle (B → A while A waits for B) could only end by timing
 * out; it is refused at once instead.
 */
final class WaitGraph {
  /** Guarded by {@code this}; counts, since one agent may wait for another from several turns. */
  private final Map<String, Map<String, Integer>> edges = new HashMap<>();

  /**
   * Adds the edge {@code from → to} unless it would close a cycle.
   *
   * @return null when added, else the cycle it would close, e.g. {@code [a, b, a]}
   */
  synchronized List<String> tryWait(String from, String to) {
    List<String> path = path(to, from);
    if (path != null) {
      var cycle = new ArrayList<String>();
      cycle.add(from);
      cycle.addAll(path);
      return cycle;
    }
    edges.computeIfAbsent(from, k -> new HashMap<>()).merge(to, 1, Integer::sum);
    return null;
  }

  synchronized void done(String from, String to) {
    Map<String, Integer> out = edges.get(from);
    if (out != null && out.merge(to, -1, Integer::sum) <= 0) {
      out.remove(to);
      if (out.isEmpty()) {
        edges.remove(from);
      }
    }
  }

  /** A path {@code start → ... → goal} along the edges, or null (breadth first: the shortest). */
  private List<String> path(String start, String goal) {
    if (start.equals(goal)) {
      return List.of(start);
    }
    Map<String, String> previous = new HashMap<>();
    Set<String> seen = new HashSet<>(List.of(start));
    ArrayDeque<String> queue = new ArrayDeque<>(List.of(start));
    while (!queue.isEmpty()) {
      String at = queue.poll();
      for (String next : edges.getOrDefault(at, Map.of()).keySet()) {
        if (seen.add(next)) {
          previous.put(next, at);
          if (next.equals(goal)) {
            var path = new ArrayList<String>();
            for (String n = goal; n != null; n = previous.get(n)) {
              path.add(0, n);
            }
            return path;
          }
          queue.add(next);
        }
      }
    }
    return null;
  }
}
