package otterbot.core.internal.secrets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.credentials.CredentialService;
import otterbot.api.persistence.CredentialStore;
import otterbot.api.provider.ModelService;
import otterbot.api.settings.SettingsService;

/**
 * Agents' secrets: sealed with the server's {@link SecretBox} before they reach the store, opened only in memory to
 * build an agent's effective secrets for a model call. Nothing here logs or returns a value.
 */
@Component(service = CredentialService.class)
public final class CredentialServiceImpl implements CredentialService {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialServiceImpl.class);
  /** Environment-variable-like names (upstream's keys are all of this form), a little more lenient. */
  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
  static final int MAX_VALUE = 16 * 1024;
  static final int MAX_KEYS = 200;

  private final CredentialStore store;
  private final SecretBox box;
  private final AgentRegistry agents;
  private final SettingsService settings;
  private final ModelService models;

  @Activate
  public CredentialServiceImpl(@Reference CredentialStore store, @Reference SecretBox box,
      @Reference AgentRegistry agents, @Reference SettingsService settings, @Reference ModelService models) {
    this.store = store;
    this.box = box;
    this.agents = agents;
    this.settings = settings;
    this.models = models;
  }

  @Override
  public void replace(String agentId, Map<String, String> secrets) {
    if (agents.get(agentId).isEmpty()) {
      throw OtterbotException.notFound("not found");
    }
    if (secrets == null) {
      throw OtterbotException.invalid("the body must be an object of names to values");
    }
    var sealed = new LinkedHashMap<String, String>();
    for (var entry : secrets.entrySet()) {
      String key = entry.getKey() == null ? "" : entry.getKey().strip();
      if (key.isEmpty()) {
        continue; // as upstream: blank keys are skipped
      }
      if (!KEY.matcher(key).matches()) {
        throw OtterbotException.invalid("credential name '" + clip(key)
            + "' must start with a letter or '_' and use only letters, digits, '_', '.' and '-' (at most 128)");
      }
      String value = entry.getValue();
      if (value == null) {
        throw OtterbotException.invalid("credential '" + key + "' must be a string");
      }
      if (value.length() > MAX_VALUE) {
        throw OtterbotException.invalid("credential '" + key + "' is longer than " + MAX_VALUE + " characters");
      }
      sealed.put(key, box.encrypt(value, row(agentId, key)));
    }
    if (sealed.size() > MAX_KEYS) {
      throw OtterbotException.invalid("at most " + MAX_KEYS + " credentials per agent");
    }
    store.replace(agentId, sealed);
    LOG.info("Credentials of agent '{}' replaced: {}", agentId, new TreeSet<>(sealed.keySet()));
  }

  @Override
  public Set<String> keys(String agentId) {
    return new TreeSet<>(store.load(agentId).keySet());
  }

  /**
   * The global provider secrets overlaid by the parent's credentials (for a subagent) and the agent's own, with every
   * key kept to the endpoint it was given for ({@link KeyBinding}): an agent credential that points a provider
   * elsewhere without its own key does not take the global key there.
   */
  @Override
  public Map<String, String> effectiveSecrets(String agentId) {
    var layers = new ArrayList<Map<String, String>>(3);
    layers.add(settings.providerSecrets());
    // A subagent works with its parent's credentials (upstream copies them; reading them keeps one copy at rest).
    agents.get(agentId).map(p -> p.parentId()).ifPresent(parent -> layers.add(open(parent)));
    layers.add(open(agentId));
    KeyBinding.Result result = KeyBinding.merge(models.providers(), layers);
    for (KeyBinding.Withheld w : result.withheld()) {
      LOG.info("Agent '{}': {}", agentId, w.describe());
    }
    return result.secrets();
  }

  private Map<String, String> open(String agentId) {
    Map<String, String> stored = store.load(agentId);
    boolean legacy = false;
    var opened = new LinkedHashMap<String, String>();
    for (var entry : stored.entrySet()) {
      String key = entry.getKey();
      try {
        opened.put(key, box.decrypt(entry.getValue(), row(agentId, key)));
        legacy |= SecretBox.isLegacy(entry.getValue());
      } catch (IllegalStateException e) {
        LOG.error("Credential '{}' of agent '{}' cannot be decrypted with the current secret key (or was moved from "
            + "another row); set it again", key, agentId);
      }
    }
    if (legacy && opened.size() == stored.size()) {
      reseal(agentId, opened);
    }
    return opened;
  }

  /** Seals values stored by an older release again, now bound to their row, so they cannot be moved to another. */
  private void reseal(String agentId, Map<String, String> opened) {
    var sealed = new LinkedHashMap<String, String>();
    opened.forEach((key, value) -> sealed.put(key, box.encrypt(value, row(agentId, key))));
    try {
      store.replace(agentId, sealed);
      LOG.info("Credentials of agent '{}' sealed again, bound to their rows", agentId);
    } catch (RuntimeException e) {
      LOG.warn("Credentials of agent '{}' could not be sealed again yet: {}", agentId, e.toString());
    }
  }

  private static String row(String agentId, String key) {
    return SecretBox.row("agent_secrets", agentId, key);
  }

  @Override
  public void deleteAll(String agentId) {
    store.replace(agentId, Map.of());
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
