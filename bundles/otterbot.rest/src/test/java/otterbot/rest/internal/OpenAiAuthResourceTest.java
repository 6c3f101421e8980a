package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.auth.ChatGptSignIn;
import otterbot.api.auth.SignInStatus;

/** {@code /api/auth/openai/*} through Jersey, with a sign-in that answers as told. */
class OpenAiAuthResourceTest {
  static final class FakeSignIn implements ChatGptSignIn {
    SignInStatus status = SignInStatus.DISCONNECTED;
    RuntimeException failure;
    final List<String> calls = new ArrayList<>();

    @Override
    public SignInStatus status() {
      return status;
    }

    @Override
    public String beginLogin() {
      calls.add("login");
      if (failure != null) {
        throw failure;
      }
      return "https://auth.example.test/oauth/authorize?x=1";
    }

    @Override
    public SignInStatus complete(String redirected) {
      calls.add("complete " + redirected);
      if (failure != null) {
        throw failure;
      }
      return status;
    }

    @Override
    public void signOut() {
      calls.add("signout");
    }
  }

  private final FakeSignIn signIn = new FakeSignIn();
  private final OpenAiAuthResource resource = new OpenAiAuthResource();
  private final InProcessApi api = new InProcessApi(resource);

  @Test
  void withoutTheServiceStatusIsDisconnectedAndTheRestIs503() {
    var status = api.get("auth/openai/status");
    assertEquals(200, status.status());
    assertEquals("{\"connected\":false,\"accountId\":null,\"expiresAt\":null,\"pending\":false,\"lastError\":null}",
        status.body());
    var login = api.postJson("auth/openai/login", "{}");
    assertEquals(503, login.status());
    assertEquals("{\"error\":\"" + OpenAiAuthResource.UNAVAILABLE + "\"}", login.body());
    assertEquals(503, api.postJson("auth/openai/complete", "{\"url\":\"code=a&state=b\"}").status());
    assertEquals(503, api.postJson("auth/openai/signout", "{}").status());
  }

  @Test
  void theRoutesAnswerUpstreamsShapes() {
    resource.setSignIn(signIn);
    assertEquals("{\"authUrl\":\"https://auth.example.test/oauth/authorize?x=1\"}",
        api.postJson("auth/openai/login", "{}").body());
    signIn.status = new SignInStatus(true, "acct-1", 1_800_000_000_000L, false, null);
    var complete = api.postJson("auth/openai/complete", "{\"url\":\"code=a&state=b\",\"extra\":1}");
    assertEquals(200, complete.status());
    assertEquals("{\"ok\":true,\"status\":{\"connected\":true,\"accountId\":\"acct-1\",\"expiresAt\":1800000000000,"
        + "\"pending\":false,\"lastError\":null}}", complete.body());
    assertEquals("{\"ok\":true}", api.postJson("auth/openai/signout", "{}").body());
    assertEquals(List.of("login", "complete code=a&state=b", "signout"), signIn.calls);
  }

  @Test
  void badCompletionsAre400NotOkNamingTheField() {
    resource.setSignIn(signIn);
    assertEquals("{\"ok\":false,\"error\":\"field 'url' is required\"}",
        api.postJson("auth/openai/complete", "{}").body());
    assertEquals("{\"ok\":false,\"error\":\"field 'url' has the wrong type (expected string)\"}",
        api.postJson("auth/openai/complete", "{\"url\":42}").body());
    var tooLong = api.postJson("auth/openai/complete", "{\"url\":\"" + "a".repeat(8 * 1024 + 1) + "\"}");
    assertEquals(400, tooLong.status());
    assertEquals("{\"ok\":false,\"error\":\"field 'url' is longer than 8192 characters\"}", tooLong.body());
    var malformed = api.postJson("auth/openai/complete", "{\"url\":");
    assertEquals(400, malformed.status());
    assertEquals(false, malformed.json().path("ok").booleanValue());
    signIn.failure = OtterbotException.invalid("state mismatch — paste the URL from this sign-in attempt");
    var mismatch = api.postJson("auth/openai/complete", "{\"url\":\"code=a&state=b\"}");
    assertEquals(400, mismatch.status());
    assertEquals("{\"ok\":false,\"error\":\"state mismatch — paste the URL from this sign-in attempt\"}",
        mismatch.body());
    assertEquals(List.of("complete code=a&state=b"), signIn.calls);
  }

  @Test
  void aTakenPortIs409() {
    resource.setSignIn(signIn);
    signIn.failure = OtterbotException.conflict("127.0.0.1:1455 is in use by another program");
    var login = api.postJson("auth/openai/login", "{}");
    assertEquals(409, login.status());
    assertEquals("{\"error\":\"127.0.0.1:1455 is in use by another program\"}", login.body());
  }
}
