package otterbot.provider.openai.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import otterbot.api.credentials.SecretVault;

/** A vault in memory that counts its writes. */
final class MemoryVault implements SecretVault {
  final Map<String, String> values = new ConcurrentHashMap<>();
  final AtomicInteger writes = new AtomicInteger();

  @Override
  public Optional<String> read(String name) {
    return Optional.ofNullable(values.get(name));
  }

  @Override
  public void write(String name, String value) {
    writes.incrementAndGet();
    values.put(name, value);
  }

  @Override
  public void delete(String name) {
    values.remove(name);
  }
}
