/**
 * A loopback DCGM exporter in its own process for `bench:harness` (the bench measures `logbench run`
 * with spawnSync, so nothing in the bench's own process can answer): serves one recorded page of an
 * H100 node, two GPUs busy, and prints `listening <port> <url>` as the loopback model server does.
 */
import { readDcgmSeries, startDcgmExporter } from '../harness/telemetry/fixtures/dcgmExporter.js';

const pages = readDcgmSeries(new URL('../../harness/telemetry/fixtures/dcgm-exporter-h100-pods-series.txt', import.meta.url));
const exporter = await startDcgmExporter(pages);
exporter.setStep(1);
console.log(`listening ${new URL(exporter.url).port} ${exporter.url}`);
