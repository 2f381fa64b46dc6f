/**
 * The worker thread that reads and checks a large places file for `importPlaces`: the parsing
 * and checking (seconds of CPU for tens of thousands of rows) run here, and the thread that
 * answers requests only receives the checked rows, a chunk per message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CheckOptionsOfFile, checkPlacesFile } from './import.ts';

const { content, options } = workerData as { content: string | Uint8Array; options: CheckOptionsOfFile };
for await (const message of checkPlacesFile(content, options)) parentPort?.postMessage(message);
