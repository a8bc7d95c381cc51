import type { ApiDeps } from '../env.ts'
import type { KuboApp } from './kubo-app.ts'

export function registerKuboPinsBlocksDag (_app: KuboApp, _deps: ApiDeps): void {
}
