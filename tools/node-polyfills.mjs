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
