import { describe, expect, it } from 'vitest'
import { nextTask } from '../../src/node/idle.ts'

describe('nextTask', () => {
  it('resolves in a later task, after what this one queued, each call in the order made', async () => {
    const order: string[] = []
    const first = nextTask().then(() => { order.push('task 1') })
    const second = nextTask().then(() => { order.push('task 2') })
    void Promise.resolve().then(() => { order.push('microtask') })
    await Promise.all([first, second])
    expect(order).toEqual(['microtask', 'task 1', 'task 2'])
    // and again, once its channel is made
    await nextTask()
    order.push('task 3')
    expect(order.at(-1)).toBe('task 3')
  })
})
