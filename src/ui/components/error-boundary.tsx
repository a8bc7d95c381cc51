import { Component } from 'preact'
import { describeError } from './error-text.tsx'
import type { ComponentChildren } from 'preact'

interface Props { children: ComponentChildren, resetKey: string }
interface State { error?: unknown, key: string }

/**
 * A page that throws while rendering (a malformed reply, a crafted block)
 * shows what went wrong in place of itself; the frame and the navigation
 * stay usable, and moving to another page starts clean.
 */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { key: '' }

  static getDerivedStateFromError (error: unknown): Partial<State> {
    return { error }
  }

  static getDerivedStateFromProps (props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.key ? { key: props.resetKey, error: undefined } : null
  }

  render () {
    if (this.state.error != null) {
      return (
        <section role='alert'>
          <h1 tabIndex={-1}>This page failed</h1>
          <p>{describeError(this.state.error)}</p>
          <p>Reload the page, or pick another page from the navigation.</p>
        </section>
      )
    }
    return this.props.children
  }
}
