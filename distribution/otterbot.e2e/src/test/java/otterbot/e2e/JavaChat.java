package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

import com.fasterxml.jackson.databind.JsonNode;

import io.socket.client.IO;
import io.socket.client.Socket;
import okhttp3.OkHttpClient;

/** The Java {@code io.socket:socket.io-client} 2.1.2 as a {@link ChatClient}, on one transport. */
final class JavaChat extends ChatClient {
  private final Socket socket;
  private final OkHttpClient okHttp;
  private final List<String> notes = new CopyOnWriteArrayList<>();

  private JavaChat(ServerProcess server, String transport) {
    super("Java socket.io-client " + transport, server::logTail);
    okHttp = new OkHttpClient.Builder().readTimeout(1, TimeUnit.MINUTES).build();
    IO.Options options = IO.Options.builder()
        .setTransports(new String[] {transport})
        .setReconnection(false)
        .setForceNew(true)
        .setTimeout(10_000)
        .build();
    options.callFactory = okHttp;
    options.webSocketFactory = okHttp;
    socket = IO.socket(URI.create("http://127.0.0.1:" + server.port()), options);
    // Every incoming event: args[0] is its name, args[1] its payload.
    socket.onAnyIncoming(args -> {
      if (args.length > 0) {
        received(String.valueOf(args[0]), args.length > 1 ? toJson(args[1]) : null);
      }
    });
    socket.on(Socket.EVENT_CONNECT_ERROR, args -> notes.add("connect_error " + java.util.Arrays.toString(args)));
    socket.on(Socket.EVENT_DISCONNECT, args -> notes.add("disconnect " + java.util.Arrays.toString(args)));
  }

  /** Connects and waits for the connection (10 s). */
  static JavaChat connect(ServerProcess server, String transport) throws InterruptedException {
    JavaChat chat = new JavaChat(server, transport);
    CountDownLatch connected = new CountDownLatch(1);
    chat.socket.once(Socket.EVENT_CONNECT, args -> connected.countDown());
    chat.socket.connect();
    boolean ok = connected.await(15, TimeUnit.SECONDS);
    if (!ok) {
      chat.close();
    }
    assertTrue(ok, () -> "the Java client did not connect with " + transport + "\n" + chat.explain());
    return chat;
  }

  private static JsonNode toJson(Object value) {
    try {
      if (value instanceof JSONObject || value instanceof JSONArray) {
        return Http.JSON.readTree(value.toString());
      }
      return Http.JSON.valueToTree(value == JSONObject.NULL ? null : value);
    } catch (java.io.IOException e) {
      return Http.JSON.getNodeFactory().textNode("(unreadable payload: " + value + ")");
    }
  }

  @Override
  void emit(String event, JsonNode data) {
    try {
      socket.emit(event, data.isObject() ? new JSONObject(data.toString()) : data.isArray()
          ? new JSONArray(data.toString()) : data.isNull() ? JSONObject.NULL : (Object) data.asText());
    } catch (JSONException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  void disconnect() {
    socket.disconnect();
  }

  @Override
  boolean connected() {
    return socket.connected();
  }

  @Override
  String clientOutput() {
    return String.join("\n", notes);
  }

  @Override
  public void close() {
    socket.close();
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
  }
}
