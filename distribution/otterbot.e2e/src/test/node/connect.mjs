// Connects the real socket.io-client to an OtterBot server, holds the connection, disconnects, and prints one JSON
// line per event on stdout. Run by SocketIoClientsIT:
//
//   node connect.mjs <url> <transport> [holdMillis]
//
//   transport  websocket | polling: only that transport (`transports: [transport]`);
//              default: the client's default (polling first, then upgrade to websocket)
//   holdMillis how long to stay connected (default 500); in default mode the hold ends no earlier than the upgrade
//
// Lines: {"event":"open","transport":...} (the Engine.IO connection, with its first transport),
//        {"event":"connect","id":...,"transport":...}, {"event":"upgrade","transport":...},
//        {"event":"disconnect","reason":...}, and {"event":"error","message":...} before a non-zero exit. Exits 0 after a clean client-side disconnect; non-zero, with a message
// on stderr, on connect_error, on a disconnect the client did not ask for, or when connecting (and, in default mode,
// upgrading) takes longer than 10 s.
import { io } from "socket.io-client";

const TIMEOUT_MS = 10_000;
const [url, mode, holdArg] = process.argv.slice(2);
const MODES = ["websocket", "polling", "default"];
const hold = holdArg === undefined ? 500 : Number(holdArg);
if (!url || !MODES.includes(mode) || !Number.isInteger(hold) || hold < 0) {
  process.stderr.write(`usage: node connect.mjs <url> <${MODES.join("|")}> [holdMillis]\n`);
  process.exit(64);
}

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const die = (code, message) => {
  print({ event: "error", message });
  process.stderr.write(`connect.mjs: ${message}\n`);
  process.exit(code);
};

const options = { reconnection: false, timeout: TIMEOUT_MS, forceNew: true };
if (mode !== "default") {
  options.transports = [mode];
}
const socket = io(url, options);
const engine = () => socket.io.engine;

let connected = false;
let upgraded = false;
let holdTimer = null;
let closing = false;

const timeout = setTimeout(() => {
  die(2, `no ${connected ? "upgrade" : "connection"} to ${url} (${mode}) within ${TIMEOUT_MS} ms`);
}, TIMEOUT_MS);

// The engine exists once the manager opens; `upgrade` fires when polling has been replaced by websocket.
socket.io.on("open", () => {
  print({ event: "open", transport: engine().transport.name });
  engine().on("upgrade", (transport) => {
    upgraded = true;
    print({ event: "upgrade", transport: transport.name });
    maybeHold();
  });
});

socket.on("connect", () => {
  connected = true;
  print({ event: "connect", id: socket.id, transport: engine().transport.name });
  maybeHold();
});

socket.on("connect_error", (error) => {
  die(1, `connect_error from ${url} (${mode}): ${error.message}${describe(error.description)}`);
});

socket.on("disconnect", (reason, details) => {
  print({ event: "disconnect", reason });
  if (!closing) {
    die(3, `the connection ended before the client disconnected: ${reason}${describe(details && details.description)}`);
  }
  clearTimeout(timeout);
  // Leave on our own once the event loop drains. After a polling session the aborted long-poll request can keep a
  // socket open for a long time, so leave anyway shortly after (the close packet has long been written by then).
  process.exitCode = 0;
  setTimeout(() => process.exit(0), 500).unref();
});

function describe(cause) {
  if (!cause) {
    return "";
  }
  const text = cause.message || (cause.error && cause.error.message) || (typeof cause === "object" ? JSON.stringify(cause) : String(cause));
  return ` (${text})`;
}

function maybeHold() {
  if (holdTimer || !connected || (mode === "default" && !upgraded)) {
    return;
  }
  clearTimeout(timeout);
  holdTimer = setTimeout(() => {
    closing = true;
    socket.disconnect();
  }, hold);
}
