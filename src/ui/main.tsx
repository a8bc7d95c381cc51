import { render } from 'preact'
import { App } from './app.tsx'
import { hostLoaded } from './host.ts'
import { sampleMetrics } from './metrics-history.ts'
import { watchForUpdates } from './app-update.ts'
import { watchNode } from './node-state.ts'

watchNode()
watchForUpdates()
void hostLoaded.then(async host => { await host.ready }).then(sampleMetrics)
render(<App />, document.getElementById('app')!)
