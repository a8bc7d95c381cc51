export function versions (): { app: string, api: string, helia: string, libp2p: string }
