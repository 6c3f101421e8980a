package otterbot.core.internal.chat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import otterbot.api.persistence.ConversationStore;
import otterbot.api.persistence.StoredMessage;

/**
 * The conversation store as the turns use it, keeping the messages of recently used conversations in memory so a turn
 * does not read its whole history back from the database (issue 12: that read was 1.5–3.5 ms of every turn's time to
 * first token, and grew with the conversation).
 *
 * <p>Only turns append to conversations, and all of them go through this object, so an entry is kept exact: an append
 * reaches the store first (committed before it returns, as before), and only then the entry. Appends and the loading
 * of an entry hold the conversation's stripe, so a load never misses an append that committed meanwhile and two
 * appends reach the entry in the order they were committed. An append that fails drops the entry (its outcome is
 * unknown); the next read loads it again.
 *
 * <p>Bounded: at most {@link #MAX_CONVERSATIONS} entries (least recently used go first) and {@link #MAX_CHARS} of
 * content each; a longer conversation is read from the store every time, as all were before.
 */
final class CachedConversations implements ConversationStore {
  static final int MAX_CONVERSATIONS = 256;
  static final long MAX_CHARS = 512 * 1024;

  private final ConversationStore store;
  private final ReentrantLock[] stripes = new ReentrantLock[64];
  /** Access-ordered; guarded by itself. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_CONVERSATIONS;
    }
  };

  private record Entry(String agentId, List<StoredMessage> messages, long chars) {}

  CachedConversations(ConversationStore store) {
    this.store = store;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  private ReentrantLock stripe(String conversationId) {
    return stripes[Math.floorMod(conversationId.hashCode(), stripes.length)];
  }

  @Override
  public Optional<String> owner(String conversationId) {
    return store.owner(conversationId);
  }

  @Override
  public void append(String agentId, StoredMessage message) {
    String conversationId = message.conversationId();
    ReentrantLock lock = stripe(conversationId);
    lock.lock();
    try {
      try {
        store.append(agentId, message);
      } catch (RuntimeException | Error e) {
        drop(conversationId);
        throw e;
      }
      synchronized (entries) {
        Entry entry = entries.get(conversationId);
        if (entry == null) {
          return; // loaded by the next read
        }
        long chars = entry.chars() + message.content().length();
        if (!entry.agentId().equals(agentId) || chars > MAX_CHARS) {
          entries.remove(conversationId);
          return;
        }
        var messages = new ArrayList<StoredMessage>(entry.messages().size() + 1);
        messages.addAll(entry.messages());
        messages.add(message);
        entries.put(conversationId, new Entry(agentId, List.copyOf(messages), chars));
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The conversation's owner for an agent that joins it. A conversation that has messages in memory is known to be
   * the agent's whose appends were stored there, so the store is not asked. A conversation the store does not have is
   * held from now on as the joining agent's, empty, so the first turn in it need not wait for its message's commit and
   * then read a one-message history back (issue 12: every new chat's first reply paid both before its model call).
   *
   * <p>Under the conversation's stripe, as appends are: no append commits between the store's answer and the empty
   * entry, so the entry is exact. Another agent may still join the same new id before anything is stored: its join
   * replaces the entry, and whichever append commits first owns the conversation, as without this object (the store
   * refuses the other's append, which drops the entry).
   */
  Optional<String> join(String agentId, String conversationId) {
    synchronized (entries) {
      Entry entry = entries.get(conversationId);
      if (entry != null && !entry.messages().isEmpty()) {
        return Optional.of(entry.agentId());
      }
    }
    ReentrantLock lock = stripe(conversationId);
    lock.lock();
    try {
      Optional<String> owner = store.owner(conversationId);
      if (owner.isEmpty()) {
        synchronized (entries) {
          entries.put(conversationId, new Entry(agentId, List.of(), 0));
        }
      }
      return owner;
    } finally {
      lock.unlock();
    }
  }

  /** Uncached: for readers other than the turns. */
  @Override
  public List<StoredMessage> messages(String conversationId) {
    return store.messages(conversationId);
  }

  /**
   * The messages held in memory for a conversation of the agent, without asking the store; empty when none are held. A
   * turn reads this while its user message's commit still runs (issue 12): an entry is only held for the agent whose
   * appends were stored, or, empty, for the agent that joined it when the store did not have it (see {@link #join}),
   * so the history it gives is the agent's alone. Should the commit find the conversation taken by another agent
   * meanwhile, the store refuses the message and the turn ends unanswered, as the store would have said first.
   */
  Optional<List<StoredMessage>> held(String agentId, String conversationId) {
    synchronized (entries) {
      Entry entry = entries.get(conversationId);
      return entry != null && entry.agentId().equals(agentId) ? Optional.of(entry.messages()) : Optional.empty();
    }
  }

  /**
   * The messages of a conversation of the agent, from memory when held. Called by a turn after its user message was
   * appended, so the conversation is known to be the agent's.
   */
  List<StoredMessage> history(String agentId, String conversationId) {
    synchronized (entries) {
      Entry entry = entries.get(conversationId);
      if (entry != null && entry.agentId().equals(agentId)) {
        return entry.messages();
      }
    }
    ReentrantLock lock = stripe(conversationId);
    lock.lock();
    try {
      synchronized (entries) {
        Entry entry = entries.get(conversationId);
        if (entry != null && entry.agentId().equals(agentId)) {
          return entry.messages();
        }
      }
      List<StoredMessage> messages = store.messages(conversationId);
      long chars = 0;
      for (StoredMessage m : messages) {
        chars += m.content().length();
      }
      synchronized (entries) {
        if (chars <= MAX_CHARS) {
          entries.put(conversationId, new Entry(agentId, messages, chars));
        } else {
          entries.remove(conversationId);
        }
      }
      return messages;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int deleteAll(String agentId) {
    try {
      return store.deleteAll(agentId);
    } finally {
      forget(agentId);
    }
  }

  /** Drops the entries of an agent's conversations (the agent was deleted, with its history). */
  void forget(String agentId) {
    synchronized (entries) {
      for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
        if (it.next().agentId().equals(agentId)) {
          it.remove();
        }
      }
    }
  }

  private void drop(String conversationId) {
    synchronized (entries) {
      entries.remove(conversationId);
    }
  }

  /** How many conversations are held (tests). */
  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
