export function promtoolPath (): string | undefined
