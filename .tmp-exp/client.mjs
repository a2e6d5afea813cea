import WebSocket from 'ws'
const N = +process.argv[2]; let bytes = 0
for (let i = 0; i < N; i++) { const ws = new WebSocket('ws://127.0.0.1:4555'); ws.on('message', (d) => { bytes += d.length }); ws.on('error', () => {}); ws.on('close', () => {}) }
setTimeout(() => process.exit(0), 15000)
