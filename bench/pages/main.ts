// The benchmark pages' entry: bench/run.mjs calls these through `globalThis.bench`.
import { catOverhead, records } from './cache-bench.ts'
import { mfsWrites } from './mfs-bench.ts'
import { bareJsonP50, bareManyAtOnce, bareStream, bareUpload } from './service-worker-bench.ts'
import { addStages, catStages, rawIdbBlobPut, rawIdbGet, rawIdbPut, rawOpfsWrite } from './stages-bench.ts'

Object.assign(globalThis, { bench: { records, catOverhead, addStages, catStages, rawIdbPut, rawIdbBlobPut, rawIdbGet, rawOpfsWrite, bareJsonP50, bareManyAtOnce, bareStream, bareUpload, mfsWrites } })
document.title = 'bench ready'
