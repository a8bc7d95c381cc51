// Node 20 lacks Promise.withResolvers, which libp2p and helia call at run time.
// Loaded with `node --import` by the relay and by vitest's setup; Node 22+ has it.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve
    let reject
    const promise = new Promise((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}

// Node 20 lacks ArrayBuffer.prototype.transfer, which browsers have: the node frees buffers it is
// done with by transferring them (src/buffers.ts), and the unit tests should empty them as a browser does.
if (typeof ArrayBuffer.prototype.transfer !== 'function') {
  Object.defineProperty(ArrayBuffer.prototype, 'transfer', {
    configurable: true,
    writable: true,
    value: function transfer (length = this.byteLength) {
      const moved = new ArrayBuffer(length)
      new Uint8Array(moved).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)))
      // detaches this buffer, as a transfer does
      structuredClone(this, { transfer: [this] })
      return moved
    }
  })
}
