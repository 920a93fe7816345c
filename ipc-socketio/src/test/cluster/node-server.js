// A Node socket.io 4 server with @socket.io/redis-adapter 8 on the Redis given as argv[2]: the Node
// side of SocketIoClusterTest. Prints "PORT <n>" once listening, then runs one JSON command per stdin
// line and answers each with "RESULT <id> <json>" (or "ERROR <id> <message>").
const http = require("http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");
const readline = require("readline");

async function main() {
  const url = process.argv[2];
  const pub = createClient({ url });
  const sub = pub.duplicate();
  pub.on("error", (e) => console.log("redis error", e.message));
  sub.on("error", (e) => console.log("redis error", e.message));
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub, { requestsTimeout: 3000 }) });
  io.on("connection", (socket) => {
    // A client names the room to be in with its query: the test's way to put Node sockets in rooms.
    const room = socket.handshake.query.room;
    if (room) socket.join(room);
  });
  io.on("hello", (...args) => console.log("serverSideEmit heard", JSON.stringify(args)));
  // A namespace the ipc nodes do not serve: its broadcasts must not reach them.
  io.of("/other");

  const commands = {
    emitAll: (c) => io.emit(c.event, ...decode(c.args)),
    emitRoom: (c) => io.to(c.room).emit(c.event, ...decode(c.args)),
    emitExcept: (c) => io.except(c.room).emit(c.event, ...decode(c.args)),
    emitOther: (c) => io.of("/other").emit(c.event, ...decode(c.args)),
    socketBroadcast: (c) => io.of("/").sockets.get(c.sid).broadcast.emit(c.event, ...decode(c.args)),
    socketToRoom: (c) => io.of("/").sockets.get(c.sid).to(c.room).emit(c.event, ...decode(c.args)),
    fetchSockets: async () =>
      (await io.fetchSockets()).map((s) => ({ id: s.id, rooms: [...s.rooms], handshake: s.handshake, data: s.data })),
    allRooms: async () => [...(await io.of("/").adapter.allRooms())],
    serverCount: async () => await io.of("/").adapter.serverCount(),
    socketsJoin: (c) => io.in(c.target).socketsJoin(c.room),
    disconnectSockets: (c) => io.in(c.target).disconnectSockets(true),
    serverSideEmit: (c) => io.serverSideEmit("hello", ...decode(c.args)),
    emitWithAck: async (c) => await io.timeout(c.timeout).emitWithAck(c.event, ...decode(c.args)),
  };

  httpServer.listen(0, "127.0.0.1", () => console.log("PORT " + httpServer.address().port));
  const rl = readline.createInterface({ input: process.stdin });
  rl.on("line", async (line) => {
    let c;
    try {
      c = JSON.parse(line);
      const result = await commands[c.op](c);
      console.log("RESULT " + c.id + " " + JSON.stringify(result === undefined ? null : result));
    } catch (e) {
      console.log("ERROR " + (c && c.id) + " " + e.message);
    }
  });
  rl.on("close", () => process.exit(0));
}

// {"$bytes": [1, 2]} stands for a Buffer: JSON has no binary.
function decode(args) {
  return (args || []).map(function conv(v) {
    if (v && typeof v === "object" && Array.isArray(v.$bytes)) return Buffer.from(v.$bytes);
    if (Array.isArray(v)) return v.map(conv);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, conv(x)]));
    return v;
  });
}

main().catch((e) => {
  console.log("FAILED " + e.stack);
  process.exit(1);
});
