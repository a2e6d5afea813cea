import { WebSocketServer } from 'ws'
const mode = process.argv[2] // 'ws' | 'direct'
const N = +process.argv[3]
const wss = new WebSocketServer({ port: 4555, perMessageDeflate: false })
const socks = []
wss.on('connection', (ws) => { socks.push(ws); ws.on('message', () => {}) ; if (socks.length === N) start() })
const payload = new Uint8Array(200).fill(7)
function frameOf(p) { const h = Buffer.alloc(p.length < 126 ? 2 : 4); h[0] = 0x82; if (p.length < 126) h[1] = p.length; else { h[1] = 126; h.writeUInt16BE(p.length, 2) } return Buffer.concat([h, p]) }
function start() {
  let n = 0
  const c0 = process.cpuUsage(); const t0 = performance.now()
  const timer = setInterval(() => {
    if (mode === 'ws') for (const ws of socks) ws.send(payload, { binary: true })
    else { const f = frameOf(payload); for (const ws of socks) ws._socket.write(f) }
    if (++n === 500) { clearInterval(timer); const c = process.cpuUsage(c0); const s = (performance.now() - t0) / 1000; console.log(mode, 'sends', n * N, 'user us/send', (c.user / n / N).toFixed(2), 'sys us/send', (c.system / n / N).toFixed(2), 'cpu%', ((c.user + c.system) / 1e4 / s).toFixed(1)); process.exit(0) }
  }, 20)
}
