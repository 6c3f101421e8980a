// Checks, with the real socket.io-client, what the otterbot.socketio.conformance fixture makes the server do (the
// behaviours the official Socket.IO protocol test suite expects), and prints one JSON line per observation. Run by
// SocketIoConformanceIT:
//
//   node conformance.mjs <url> <websocket|polling>
//
// Lines out, in this order:
//   {"check":"auth","namespace":"/","auth":<payload of the auth event>}            (connected with auth {token:"123"})
//   {"check":"auth","namespace":"/custom","auth":...}                                (connected with auth {token:"abc"})
//   {"check":"refused","namespace":"/random","message":...}                           (connect_error)
//   {"check":"echo","namespace":n,"args":[...]}     message-back for message(1, "2", {"3":[true]}[, <bytes 1 2 3>])
//   {"check":"ack","namespace":n,"args":[...]}      ack of message-with-ack(1, "2", {"3":[false]}[, <bytes 4 5 6>])
//   {"event":"end"}
// Binary arguments are sent on websocket only; they are printed as Node prints a Buffer: {"type":"Buffer","data":[..]}.
// A step that gets no answer within 10 s prints {"check":...,"timeout":true}.
import { io } from "socket.io-client";

const [url, transport] = process.argv.slice(2);
if (!url || !["websocket", "polling"].includes(transport)) {
  process.stderr.write("usage: node conformance.mjs <url> <websocket|polling>\n");
  process.exit(64);
}
const TIMEOUT_MS = 10_000;
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const within = (promise, onTimeout) =>
  Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(onTimeout), TIMEOUT_MS))]);

function connect(namespace, auth) {
  const socket = io(url + namespace, { transports: [transport], reconnection: false, forceNew: true, timeout: TIMEOUT_MS, auth });
  const authEvent = new Promise((resolve) => socket.once("auth", resolve));
  const connected = new Promise((resolve) => {
    socket.once("connect", () => resolve({ connected: true }));
    socket.once("connect_error", (error) => resolve({ connected: false, message: error.message }));
  });
  return { socket, authEvent, connected };
}

const binary = transport === "websocket";
const sockets = [];
for (const [namespace, token] of [["/", "123"], ["/custom", "abc"]]) {
  const { socket, authEvent, connected } = connect(namespace, { token });
  sockets.push([namespace, socket]);
  const state = await within(connected, { connected: false, message: "timeout" });
  if (!state.connected) {
    print({ check: "auth", namespace, connected: false, message: state.message });
    continue;
  }
  const auth = await within(authEvent, undefined);
  print(auth === undefined ? { check: "auth", namespace, timeout: true } : { check: "auth", namespace, auth });
}

const refused = connect("/random", {});
sockets.push(["/random", refused.socket]);
const state = await within(refused.connected, { connected: false, message: "timeout" });
print({ check: "refused", namespace: "/random", connected: state.connected, message: state.message });

for (const [namespace, socket] of sockets.slice(0, 2)) {
  const echoArgs = [1, "2", { 3: [true] }, ...(binary ? [Buffer.from([1, 2, 3])] : [])];
  const echoed = new Promise((resolve) => socket.once("message-back", (...args) => resolve(args)));
  socket.emit("message", ...echoArgs);
  const args = await within(echoed, undefined);
  print(args === undefined ? { check: "echo", namespace, timeout: true } : { check: "echo", namespace, args });

  const ackArgs = [1, "2", { 3: [false] }, ...(binary ? [Buffer.from([4, 5, 6])] : [])];
  const acked = new Promise((resolve) => socket.emit("message-with-ack", ...ackArgs, (...reply) => resolve(reply)));
  const reply = await within(acked, undefined);
  print(reply === undefined ? { check: "ack", namespace, timeout: true } : { check: "ack", namespace, args: reply });
}

sockets.forEach(([, socket]) => socket.disconnect());
print({ event: "end" });
setTimeout(() => process.exit(0), 200).unref();
