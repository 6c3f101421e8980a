package otterbot.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A fake ChatGPT Codex backend on loopback: {@code POST /responses} streamed as Responses API server-sent events.
 *
 * <p>It checks what upstream-behaviour §11.3 says the client sends: a bearer token the {@code tokenCheck} accepts
 * (else 401), {@code ChatGPT-Account-ID}, {@code openai-beta: responses=experimental}, {@code originator:
 * codex_cli_rs}, a {@code codex_cli_rs/} user agent, a {@code session_id}, and a body with {@code store:false},
 * {@code stream:true}, {@code instructions} and an {@code input} array (else 400, naming what is wrong). Every request
 * is recorded, accepted or not.
 */
public final class FakeCodexBackend implements AutoCloseable {
  /** What the backend streams for one request. */
  public static final class Answer {
    final List<String> deltas = new ArrayList<>();
    String toolName;
    String toolArguments;
    String failure;

    /** Text in these deltas, then {@code response.completed}. */
    public static Answer text(String... deltas) {
      Answer answer = new Answer();
      answer.deltas.addAll(List.of(deltas));
      return answer;
    }

    /** One function call (its arguments in two deltas), then {@code response.completed}. */
    public static Answer toolCall(String name, String arguments) {
      Answer answer = new Answer();
      answer.toolName = name;
      answer.toolArguments = arguments;
      return answer;
    }

    /** {@code response.failed} with this message. */
    public static Answer failed(String message) {
      Answer answer = new Answer();
      answer.failure = message;
      return answer;
    }
  }

  private final LoopbackHttp http;
  private final Predicate<String> tokenCheck;
  private final String accountId;
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private volatile Function<RecordedRequest, Answer> responder = r -> Answer.text("Hello", " from", " Codex");

  private FakeCodexBackend(Predicate<String> tokenCheck, String accountId) throws IOException {
    this.tokenCheck = tokenCheck;
    this.accountId = accountId;
    this.http = new LoopbackHttp("fake-codex-backend", this::handle);
  }

  /** A backend that accepts the issuer's current access tokens and expects its account id. */
  public static FakeCodexBackend start(FakeOAuthIssuer issuer) throws IOException {
    return new FakeCodexBackend(issuer::isCurrentAccessToken, issuer.accountId());
  }

  /** A backend that accepts the tokens {@code tokenCheck} accepts and expects {@code accountId}. */
  public static FakeCodexBackend start(Predicate<String> tokenCheck, String accountId) throws IOException {
    return new FakeCodexBackend(tokenCheck, accountId);
  }

  /** The base URL, for {@code codexBaseUrl}. */
  public String baseUrl() {
    return http.baseUrl();
  }

  public FakeCodexBackend respond(Function<RecordedRequest, Answer> responder) {
    this.responder = responder;
    return this;
  }

  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    http.close();
  }

  private void handle(HttpExchange exchange) throws IOException {
    RecordedRequest request = LoopbackHttp.record(exchange);
    requests.add(request);
    if (!(request.method().equals("POST") && exchange.getRequestURI().getPath().equals("/responses"))) {
      LoopbackHttp.json(exchange, 404, error("no route for " + request.method() + " " + request.path()));
      return;
    }
    String auth = request.header("authorization");
    if (auth == null || !auth.startsWith("Bearer ") || !tokenCheck.test(auth.substring(7))) {
      LoopbackHttp.json(exchange, 401, error("invalid or expired access token"));
      return;
    }
    String problem = problem(request);
    if (problem != null) {
      LoopbackHttp.json(exchange, 400, error(problem));
      return;
    }
    stream(exchange, responder.apply(request));
  }

  private String problem(RecordedRequest request) {
    if (!accountId.equals(request.header("chatgpt-account-id"))) {
      return "ChatGPT-Account-ID is missing or wrong";
    }
    if (!"responses=experimental".equals(request.header("openai-beta"))) {
      return "openai-beta must be responses=experimental";
    }
    if (!"codex_cli_rs".equals(request.header("originator"))) {
      return "originator must be codex_cli_rs";
    }
    String agent = request.header("user-agent");
    if (agent == null || !agent.startsWith("codex_cli_rs/")) {
      return "User-Agent must start with codex_cli_rs/";
    }
    if (request.header("session_id") == null || request.header("session_id").isBlank()) {
      return "session_id is missing";
    }
    JsonNode body = request.body();
    if (!body.path("store").isBoolean() || body.path("store").booleanValue()) {
      return "store must be false";
    }
    if (!body.path("stream").booleanValue()) {
      return "stream must be true";
    }
    if (!body.path("instructions").isTextual()) {
      return "instructions are required";
    }
    if (!body.path("input").isArray() || !body.path("model").isTextual()) {
      return "model and input are required";
    }
    return null;
  }

  private static Map<String, Object> error(String message) {
    return Map.of("error", Map.of("message", message, "type", "invalid_request_error"));
  }

  private void stream(HttpExchange exchange, Answer answer) throws IOException {
    exchange.getResponseHeaders().set("content-type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      String id = "resp_" + FakeOAuthIssuer.random(8);
      event(out, "response.created", node().put("type", "response.created").set("response", node().put("id", id)));
      if (answer.failure != null) {
        ObjectNode response = node().put("id", id).put("status", "failed");
        response.putObject("error").put("code", "server_error").put("message", answer.failure);
        event(out, "response.failed", node().put("type", "response.failed").set("response", response));
        return;
      }
      for (String delta : answer.deltas) {
        event(out, "response.output_text.delta", node().put("type", "response.output_text.delta")
            .put("item_id", "msg_1").put("output_index", 0).put("content_index", 0).put("delta", delta));
      }
      if (answer.toolName != null) {
        String itemId = "fc_" + FakeOAuthIssuer.random(4);
        String callId = "call_" + FakeOAuthIssuer.random(4);
        ObjectNode item = node().put("type", "function_call").put("id", itemId).put("call_id", callId)
            .put("name", answer.toolName).put("arguments", "");
        event(out, "response.output_item.added", node().put("type", "response.output_item.added")
            .put("output_index", 1).set("item", item.deepCopy()));
        String args = answer.toolArguments;
        int half = args.length() / 2;
        for (String part : new String[] {args.substring(0, half), args.substring(half)}) {
          event(out, "response.function_call_arguments.delta", node()
              .put("type", "response.function_call_arguments.delta").put("item_id", itemId).put("output_index", 1)
              .put("delta", part));
        }
        event(out, "response.function_call_arguments.done", node()
            .put("type", "response.function_call_arguments.done").put("item_id", itemId).put("output_index", 1)
            .put("arguments", args));
        event(out, "response.output_item.done", node().put("type", "response.output_item.done")
            .put("output_index", 1).set("item", item.put("arguments", args)));
      }
      ObjectNode done = node().put("id", id).put("status", "completed");
      ArrayNode output = done.putArray("output");
      output.addObject().put("type", "message");
      event(out, "response.completed", node().put("type", "response.completed").set("response", done));
    }
  }

  private static ObjectNode node() {
    return LoopbackHttp.JSON.createObjectNode();
  }

  private static void event(OutputStream out, String type, JsonNode data) throws IOException {
    out.write(("event: " + type + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
