// Chats with an OtterBot server through the real socket.io-client, driven line by line from standard input, and
// prints every event it receives on standard output as one JSON line. Run by ChatIT, ProviderHotInstallIT and
// SecretsIT (class NodeChat):
//
//   node chat.mjs <url> <websocket|polling> [sockets]
//
//   sockets  how many independent connections to open (default 1; each is its own Engine.IO session, forceNew)
//
// Environment: OTTERBOT_E2E_TOKEN, when set, is sent as the handshake's auth payload ({token}); SecurityIT.
//
// Commands, one JSON object per line on stdin:
//   {"op":"emit","socket":0,"event":"chat:message","data":{...}}   emit an event on that socket
//   {"op":"disconnectOnToken","socket":0}   disconnect that socket as soon as its next token chunk arrives (in the
//                                           same tick: no round trip through the test)
//   {"op":"disconnect","socket":0}          disconnect that socket now
//   {"op":"exit"}                           disconnect every socket and exit 0 (so does the end of stdin)
//
// Lines out: {"socket":n,"event":"connect","id":...,"transport":...},
//            {"socket":n,"event":"<server event>","data":<payload>} for every event the server sends (chat:joined,
//            chat:stream, chat:done, agent:status, ...), in the order the client received them,
//            {"socket":n,"event":"disconnect","reason":...}, {"socket":n,"event":"connect_error","message":...},
//            {"event":"ready"} once every socket is connected, {"event":"error","message":...} for a bad command.
// The payloads are printed as received: no timestamps, nothing added.
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const [url, transport, countArg] = process.argv.slice(2);
const count = countArg === undefined ? 1 : Number(countArg);
if (!url || !["websocket", "polling"].includes(transport) || !Number.isInteger(count) || count < 1) {
  process.stderr.write("usage: node chat.mjs <url> <websocket|polling> [sockets]\n");
  process.exit(64);
}

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const sockets = [];
const disconnectOnToken = new Set();
let connected = 0;

for (let n = 0; n < count; n++) {
  const options = { transports: [transport], reconnection: false, forceNew: true, timeout: 10_000 };
  if (process.env.OTTERBOT_E2E_TOKEN !== undefined) {
    options.auth = { token: process.env.OTTERBOT_E2E_TOKEN };
  }
  const socket = io(url, options);
  sockets.push(socket);
  socket.on("connect", () => {
    print({ socket: n, event: "connect", id: socket.id, transport: socket.io.engine.transport.name });
    if (++connected === count) {
      print({ event: "ready" });
    }
  });
  socket.on("connect_error", (error) => print({ socket: n, event: "connect_error", message: error.message }));
  socket.on("disconnect", (reason) => print({ socket: n, event: "disconnect", reason }));
  socket.onAny((event, data) => {
    print({ socket: n, event, data: data === undefined ? null : data });
    if (event === "chat:stream" && data && data.chunk && data.chunk.kind === "token" && disconnectOnToken.has(n)) {
      disconnectOnToken.delete(n);
      socket.disconnect();
    }
  });
}

function socketOf(command) {
  const n = command.socket === undefined ? 0 : command.socket;
  if (!Number.isInteger(n) || n < 0 || n >= sockets.length) {
    throw new Error(`no socket ${n}`);
  }
  return n;
}

function exit() {
  sockets.forEach((s) => s.connected && s.disconnect());
  // Give the close packets a moment to leave; a polling transport's aborted request may keep the loop alive.
  setTimeout(() => process.exit(0), 200);
}

const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (!line.trim()) {
    return;
  }
  try {
    const command = JSON.parse(line);
    switch (command.op) {
      case "emit":
        sockets[socketOf(command)].emit(command.event, command.data);
        break;
      case "disconnectOnToken":
        disconnectOnToken.add(socketOf(command));
        break;
      case "disconnect":
        sockets[socketOf(command)].disconnect();
        break;
      case "exit":
        exit();
        break;
      default:
        throw new Error(`unknown op ${command.op}`);
    }
  } catch (error) {
    print({ event: "error", message: `${error.message} in command ${line}` });
  }
});
input.on("close", exit);
