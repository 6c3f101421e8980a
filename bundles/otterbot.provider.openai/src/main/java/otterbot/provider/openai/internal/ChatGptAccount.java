package otterbot.provider.openai.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.OtterbotException;
import otterbot.api.auth.ChatGptSignIn;
import otterbot.api.auth.SignInStatus;
import otterbot.api.credentials.SecretVault;
import otterbot.api.provider.ProviderException;

/**
 * The instance's ChatGPT sign-in (upstream-behaviour §14): authorization code with PKCE against the issuer, a loopback
 * callback listener per attempt, the tokens sealed in the {@link SecretVault} under {@value #VAULT_NAME}, and their
 * refresh for the provider ({@link CodexAccess}).
 *
 * <p>Refresh is single-flight and rotates atomically: one lock is held across the exchange, so a second caller waits
 * and then finds fresh tokens; new tokens are written to the vault before anyone uses them; and a refresh token is
 * sent at most once. After a failed refresh the issuer may have seen (or consumed) it, so it is dropped (also in the
 * vault): an access token still valid is used until it expires, then the account counts as disconnected. An
 * {@code invalid_grant} disconnects at once.
 */
@Component(service = {ChatGptSignIn.class, CodexAccess.class}, configurationPid = "otterbot.provider.openai")
public final class ChatGptAccount implements ChatGptSignIn, CodexAccess {
  static final String VAULT_NAME = "openai_oauth";
  static final long REFRESH_MARGIN_MS = 5 * 60 * 1000;
  static final String NOT_CONNECTED = "OpenAI OAuth is selected but no ChatGPT account is connected";
  private static final System.Logger LOG = System.getLogger(ChatGptAccount.class.getName());
  private static final int REMEMBERED_SPENT_TOKENS = 32;

  /** A sign-in in progress. */
  private record Pending(Pkce pkce) {}

  private final SecretVault vault;
  private final OAuthSettings settings;
  private final TokenEndpoint endpoint;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** Guards the sign-in in progress, its listener and the last error. */
  private final Object signInLock = new Object();
  private Pending pending;
  private CallbackServer listener;
  private String lastError;

  /** Held across a refresh: the single flight. Guards {@link #tokens} writes and {@link #spent}. */
  private final Object refreshLock = new Object();
  private volatile OAuthTokens tokens;
  /** Hashes of refresh tokens already sent, bounded: none is sent twice. */
  private final Set<String> spent = Collections.newSetFromMap(new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_SPENT_TOKENS;
    }
  });
  private volatile boolean closed;
  /** The hash of an access token the backend refused; such a token is refreshed before it is used again. */
  private volatile String rejected;

  @Activate
  public ChatGptAccount(@Reference SecretVault vault, OpenAiConfiguration config) {
    this(vault, OAuthSettings.of(config), Clock.systemUTC());
    if (!settings.nonDefaults().isEmpty()) {
      LOG.log(System.Logger.Level.INFO, "ChatGPT sign-in settings: {0}", String.join(", ", settings.nonDefaults()));
    }
  }

  ChatGptAccount(SecretVault vault, OAuthSettings settings, Clock clock) {
    this.vault = vault;
    this.settings = settings;
    this.clock = clock;
    this.endpoint = new TokenEndpoint(settings);
    this.tokens = vault.read(VAULT_NAME).map(OAuthTokens::fromJson).orElse(null);
  }

  @Override
  public SignInStatus status() {
    OAuthTokens current = tokens;
    synchronized (signInLock) {
      return new SignInStatus(current != null, current == null ? null : current.accountId(),
          current == null ? null : current.expiresAt(), pending != null, lastError);
    }
  }

  @Override
  public String beginLogin() {
    synchronized (signInLock) {
      if (closed) {
        throw OtterbotException.unavailable("the ChatGPT sign-in is stopping", null);
      }
      closeListener();
      pending = null;
      Pkce pkce = Pkce.create(random);
      // May throw CONFLICT (port taken): then nothing is pending and the last error says why.
      try {
        listener = CallbackServer.start(settings.callbackPort(), settings.loginTimeout(), this::onCallback,
            () -> timedOut(pkce));
      } catch (OtterbotException e) {
        lastError = e.getMessage();
        throw e;
      }
      pending = new Pending(pkce);
      lastError = null;
      return pkce.authorizeUrl(settings);
    }
  }

  @Override
  public SignInStatus complete(String redirected) {
    finish(Redirect.parse(redirected));
    return status();
  }

  @Override
  public void signOut() {
    synchronized (signInLock) {
      pending = null;
      lastError = null;
      closeListener();
    }
    synchronized (refreshLock) {
      tokens = null;
      vault.delete(VAULT_NAME);
    }
    LOG.log(System.Logger.Level.INFO, "ChatGPT sign-in: signed out");
  }

  /** The browser's redirect to the listener. */
  private CallbackServer.Page onCallback(Map<String, String> params) {
    try {
      finish(Redirect.of(params));
      return new CallbackServer.Page(200, CallbackServer.page("Signed in to ChatGPT \u2713"), true);
    } catch (StateMismatch e) {
      return new CallbackServer.Page(400, CallbackServer.page("Sign-in failed: " + e.getMessage()), false);
    } catch (OtterbotException e) {
      return new CallbackServer.Page(200, CallbackServer.page("Sign-in failed: " + e.getMessage()), true);
    }
  }

  /** A redirect that does not carry this sign-in's state: refused, and the sign-in goes on. */
  private static final class StateMismatch extends OtterbotException {
    private static final long serialVersionUID = 1L;

    StateMismatch() {
      super(Kind.INVALID, "state mismatch — paste the URL from this sign-in attempt");
    }
  }

  /**
   * Upstream's checks in its order (a sign-in pending, no {@code error}, a code, the state), then the exchange, with
   * one change: an {@code error} ends the sign-in only when it carries the sign-in's state (the issuer sends it back
   * with errors too). Upstream let any page that navigates the browser to the listener cancel a sign-in that way. The
   * sign-in is claimed before the exchange, so one code is exchanged once even if the callback and a pasted URL race.
   */
  private void finish(Redirect redirect) {
    Pending claimed;
    synchronized (signInLock) {
      if (pending == null) {
        throw OtterbotException.invalid("no login is in progress — start sign-in first");
      }
      boolean ours = pending.pkce().state().equals(redirect.state());
      if (redirect.error() != null) {
        if (!ours) {
          throw new StateMismatch();
        }
        String message = redirect.errorDescription() != null ? redirect.errorDescription() : redirect.error();
        fail(message);
        throw OtterbotException.invalid(message);
      }
      if (redirect.code() == null) {
        throw OtterbotException.invalid("could not find an authorization code in that input");
      }
      if (!ours) {
        throw new StateMismatch();
      }
      claimed = pending;
      pending = null;
    }
    OAuthTokens fresh;
    try {
      fresh = endpoint.exchange(redirect.code(), claimed.pkce(), clock.millis());
    } catch (TokenEndpoint.Failure e) {
      synchronized (signInLock) {
        lastError = e.getMessage();
        closeListener();
      }
      LOG.log(System.Logger.Level.WARNING, "ChatGPT sign-in failed: {0}", e.getMessage());
      throw e.invalidGrant ? OtterbotException.invalid(e.getMessage())
          : OtterbotException.unavailable(e.getMessage(), null);
    }
    synchronized (refreshLock) {
      vault.write(VAULT_NAME, fresh.toJson());
      tokens = fresh;
    }
    synchronized (signInLock) {
      lastError = null;
      closeListener();
    }
    LOG.log(System.Logger.Level.INFO, "ChatGPT sign-in: connected account {0}",
        fresh.accountId() == null ? "(no account id)" : fresh.accountId());
  }

  private void fail(String message) {
    pending = null;
    closeListener();
    lastError = message;
    LOG.log(System.Logger.Level.WARNING, "ChatGPT sign-in failed: {0}", message);
  }

  private void timedOut(Pkce pkce) {
    synchronized (signInLock) {
      if (pending != null && pending.pkce() == pkce) {
        fail("the sign-in timed out after " + settings.loginTimeout().toSeconds() + " s; start it again");
      }
    }
  }

  private void closeListener() {
    if (listener != null) {
      listener.close();
      listener = null;
    }
  }

  @Override
  public Credentials credentials() throws ProviderException {
    OAuthTokens current = tokens;
    if (current != null && current.expiresAt() - clock.millis() > REFRESH_MARGIN_MS && !isRejected(current)) {
      return new Credentials(current.accessToken(), current.accountId());
    }
    OAuthTokens seen = current;
    synchronized (refreshLock) {
      current = tokens;
      long now = clock.millis();
      if (current != null && current != seen && current.expiresAt() > now) {
        // Refreshed by the caller we waited for: its result is ours, even if it is short-lived itself.
        return new Credentials(current.accessToken(), current.accountId());
      }
      if (current == null) {
        String why;
        synchronized (signInLock) {
          why = lastError;
        }
        throw new ProviderException(why == null ? NOT_CONNECTED : NOT_CONNECTED + " (" + why + ")");
      }
      boolean refused = isRejected(current);
      if (current.expiresAt() - now > REFRESH_MARGIN_MS && !refused) {
        return new Credentials(current.accessToken(), current.accountId()); // another caller just refreshed
      }
      if (current.refreshToken() == null || !spent.add(hash(current.refreshToken()))) {
        if (refused) {
          disconnect("the ChatGPT access token was refused and cannot be refreshed; sign in again");
          throw new ProviderException(NOT_CONNECTED + " (the ChatGPT access token was refused and cannot be "
              + "refreshed; sign in again)");
        }
        return usableOrDisconnect(current, now, "the ChatGPT access token expired and cannot be refreshed; sign in "
            + "again");
      }
      OAuthTokens next;
      try {
        next = endpoint.refresh(current, now);
      } catch (TokenEndpoint.Failure e) {
        LOG.log(System.Logger.Level.WARNING, "ChatGPT sign-in: {0}", e.getMessage());
        if (e.invalidGrant) {
          disconnect(e.getMessage() + "; sign in again");
          throw new ProviderException(NOT_CONNECTED + " (" + e.getMessage() + "; sign in again)");
        }
        // The issuer may have received the token: drop it everywhere so it is never sent again.
        OAuthTokens dropped = current.withoutRefreshToken();
        tokens = dropped;
        store(dropped);
        if (refused) {
          disconnect(e.getMessage() + "; sign in again");
          throw new ProviderException(NOT_CONNECTED + " (" + e.getMessage() + "; sign in again)");
        }
        return usableOrDisconnect(dropped, now, e.getMessage() + "; sign in again");
      }
      // Rotation: the new tokens are on disk before anyone uses them.
      store(next);
      tokens = next;
      LOG.log(System.Logger.Level.INFO, "ChatGPT sign-in: tokens refreshed");
      return new Credentials(next.accessToken(), next.accountId());
    }
  }

  @Override
  public void rejected(String accessToken) {
    OAuthTokens current = tokens;
    if (current != null && current.accessToken().equals(accessToken)) {
      rejected = hash(accessToken);
      LOG.log(System.Logger.Level.WARNING, "ChatGPT sign-in: the backend refused the access token; the next call "
          + "refreshes it");
    }
  }

  private boolean isRejected(OAuthTokens current) {
    String refused = rejected;
    return refused != null && refused.equals(hash(current.accessToken()));
  }

  private Credentials usableOrDisconnect(OAuthTokens current, long now, String why) throws ProviderException {
    if (current.expiresAt() > now) {
      return new Credentials(current.accessToken(), current.accountId());
    }
    disconnect(why);
    throw new ProviderException(NOT_CONNECTED + " (" + why + ")");
  }

  private void disconnect(String why) {
    tokens = null;
    try {
      vault.delete(VAULT_NAME);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "ChatGPT sign-in: the dead tokens could not be removed: {0}", e.toString());
    }
    synchronized (signInLock) {
      lastError = why;
    }
  }

  private void store(OAuthTokens next) {
    try {
      vault.write(VAULT_NAME, next.toJson());
    } catch (RuntimeException e) {
      // Kept in memory all the same: the old refresh token is spent, so dropping the new one would lose the account.
      LOG.log(System.Logger.Level.ERROR, "ChatGPT sign-in: the refreshed tokens could not be stored ({0}); they "
          + "last until the server stops", e.toString());
    }
  }

  private static String hash(String token) {
    try {
      return Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Deactivate
  void deactivate() {
    CallbackServer open;
    synchronized (signInLock) {
      closed = true;
      open = listener;
      listener = null;
      pending = null;
    }
    if (open != null) {
      open.awaitClosed();
    }
    endpoint.close();
  }
}
