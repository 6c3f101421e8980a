// Many chat turns at once over real socket.io-client connections, some on polling only, some on websocket only; prints
// one JSON line per turn with everything the client received for it. Run by PollingSoakIT:
//
//   node soak.mjs <url> <polling sockets> <websocket sockets> <turns per socket> <turn timeout ms>
//
// Every socket sends its turns one after the other ({"agentId":"coo","text":"soak <socket>.<turn>"}, the next once
// chat:done of the last arrived); all sockets run at the same time.
//
// Lines out: {"socket":n,"transport":...,"turn":t,"text":...,"tokens":[...],"errors":[...],"done":true|false}; done is
//            false when chat:done did not arrive within the turn timeout (the socket then stops sending);
//            {"event":"connect_error","socket":n,"message":...} or {"event":"disconnect","socket":n,"reason":...} when a
//            socket fails; {"event":"end"} last.
import { io } from "socket.io-client";

const [url, pollingArg, websocketArg, turnsArg, timeoutArg] = process.argv.slice(2);
const [polling, websocket, turns, turnTimeout] = [pollingArg, websocketArg, turnsArg, timeoutArg].map(Number);
if (!url || ![polling, websocket, turns, turnTimeout].every(Number.isInteger)) {
  process.stderr.write("usage: node soak.mjs <url> <polling sockets> <websocket sockets> <turns> <turn timeout ms>\n");
  process.exit(64);
}

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

function turn(socket, text) {
  return new Promise((resolve) => {
    const tokens = [];
    const errors = [];
    const onStream = ({ chunk }) => {
      if (chunk.kind === "token") {
        tokens.push(chunk.text);
      } else if (chunk.kind === "error") {
        errors.push(chunk.message ?? JSON.stringify(chunk));
      }
    };
    const finish = (done) => {
      clearTimeout(timer);
      socket.off("chat:stream", onStream);
      socket.off("chat:done", onDone);
      resolve({ tokens, errors, done });
    };
    const onDone = () => finish(true);
    const timer = setTimeout(() => finish(false), turnTimeout);
    socket.on("chat:stream", onStream);
    socket.on("chat:done", onDone);
    socket.emit("chat:message", { agentId: "coo", text });
  });
}

async function run(n, transport) {
  const socket = io(url, { transports: [transport], reconnection: false, forceNew: true, timeout: 10_000 });
  socket.on("disconnect", (reason) => reason !== "io client disconnect" && print({ event: "disconnect", socket: n, reason }));
  const connected = await new Promise((resolve) => {
    socket.once("connect", () => resolve(true));
    socket.once("connect_error", (error) => {
      print({ event: "connect_error", socket: n, message: error.message });
      resolve(false);
    });
  });
  if (!connected) {
    return;
  }
  for (let t = 0; t < turns; t++) {
    const text = `soak ${n}.${t}`;
    const result = await turn(socket, text);
    print({ socket: n, transport, turn: t, text, ...result });
    if (!result.done) {
      break;
    }
  }
  socket.disconnect();
}

const runs = [];
for (let n = 0; n < polling + websocket; n++) {
  runs.push(run(n, n < polling ? "polling" : "websocket"));
}
await Promise.all(runs);
print({ event: "end" });
// A polling transport's aborted request may keep the loop alive for a moment.
setTimeout(() => process.exit(0), 200).unref();
