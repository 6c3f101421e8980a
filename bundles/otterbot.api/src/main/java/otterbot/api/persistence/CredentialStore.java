package otterbot.api.persistence;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** Agents' secrets. Values arrive sealed (encrypted by the core); the store never sees a plaintext secret. */
@ProviderType
public interface CredentialStore {
  /** The agent's sealed secrets by key. */
  Map<String, String> load(String agentId);

  /** Replaces the agent's whole set in one transaction. */
  void replace(String agentId, Map<String, String> sealed);
}
