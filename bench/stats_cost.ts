// What the dashboard's per-epoch extras cost next to an epoch of training on Fashion-MNIST.
//
// Run: deno run --no-prompt --allow-read --allow-env=LOG_TOKENS,LOG_STREAM bench/stats_cost.ts [--epochs=1]
//   [--repeats=5]
//
// For each workload it trains `epochs` epochs (60 000 images) and times, after each, exactly what the trainer
// computes for the dashboard: `layerStatistics` on its fixed 256-row sample (one forward and backward pass, the
// per-unit means, weight spread and three histograms) and `decisionBoundary` (only for two-input networks, so
// "n/a" here). The trainer does this at most every `statsIntervalMs` (30 ms), i.e. after every epoch on
// Fashion-MNIST. The test evaluation (10 000 images) runs after every epoch whether a dashboard is shown or not; it
// is reported on its own line, and so is what the pictures of image data add: the confusion matrix counted in that
// evaluation, the predictions of the 32 sample images and the 16 first-layer filters. Target: the statistics take at most 3% of an epoch. Workloads:
//   config  configs/fashion-mnist.yaml as it is: 784-256-128-10 ReLU, Adam, batch 128
//   peers   the peer benchmark's 784-128-64-10 ReLU, SGD 0.1, batch 64

import { loadConfig } from "../src/config/load_config.ts";
import { resolveNetworkShape } from "../src/config/resolve.ts";
import { loadDataset } from "../src/data/load.ts";
import { createBackend } from "../src/math/create_backend.ts";
import { getLoss } from "../src/math/losses.ts";
import { Matrix } from "../src/math/matrix.ts";
import { Rng } from "../src/math/random.ts";
import { FitSession } from "../src/nn/fit.ts";
import { Network } from "../src/nn/network.ts";
import { evaluate, predictedClass } from "../src/train/evaluate.ts";
import { PictureProbe } from "../src/train/pictures.ts";
import { layerStatistics, STATISTICS_SAMPLE_ROWS } from "../src/train/summary.ts";

const TARGET = 0.03;
const CONFIG = "configs/fashion-mnist.yaml";

interface Workload {
  name: string;
  overrides: string[];
}

const WORKLOADS: Workload[] = [
  { name: "config", overrides: [] },
  {
    name: "peers",
    overrides: [
      "network.hidden=[128, 64]",
      "train.optimizer=sgd",
      "train.learning_rate=0.1",
      "train.batch_size=64",
    ],
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * What `evaluate(..., { confusion: true })` adds to the test evaluation: the class of each output and target row
 * and one count per row, timed on its own (the difference of two whole evaluations is lost in their noise).
 */
function countingMs(rows: number, width: number): number {
  const output = new Float64Array(rows * width).map((_, i) => Math.sin(i * 12.9898) * 0.5 + 0.5);
  const target = new Float64Array(rows * width).map((
    _,
    i,
  ) => (i % width === (i / width | 0) % width ? 1 : 0));
  const counts = Array.from({ length: width }, () => new Array<number>(width).fill(0));
  const t = performance.now();
  for (let r = 0; r < rows; r++) {
    counts[predictedClass(target, r * width, width)][predictedClass(output, r * width, width)]++;
  }
  return performance.now() - t;
}

function option(name: string, fallback: number): number {
  const found = Deno.args.find((arg) => arg.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.slice(name.length + 3));
}

async function measure(workload: Workload, epochs: number, repeats: number): Promise<void> {
  const { config, baseDir } = await loadConfig(CONFIG, { overrides: workload.overrides });
  const rng = new Rng(config.seed);
  const data = await loadDataset(config.data, { baseDir, rng });
  const train = data.train, test = data.test!;
  const shape = resolveNetworkShape(config.network, {
    inputSize: train.inputSize,
    task: train.task,
    classCount: train.classNames?.length,
    targetSize: train.targetSize,
  }, { loss: config.train.loss });
  const encode = <T extends typeof train>(d: T) =>
    shape.targetEncoding ? d.withTargetEncoding(shape.targetEncoding) : d;
  const trainSet = encode(train), testSet = encode(test);
  const backend = await createBackend({ kind: config.train.backend, threads: config.train.threads });
  const network = new Network({
    input: shape.input,
    layers: shape.layers.map((layer) => ({ units: layer.units, activation: layer.activation })),
    init: shape.init,
    seed: config.seed,
    backend,
  });
  const session = new FitSession(network, trainSet, {
    batchSize: config.train.batchSize,
    learningRate: config.train.learningRate,
    optimizer: config.train.optimizer,
    loss: shape.loss as never,
    seed: config.seed,
    trackAccuracy: true,
  });
  const loss = getLoss(shape.loss);
  // the trainer's sample: evenly spaced rows, gathered once
  const rows = Math.min(STATISTICS_SAMPLE_ROWS, trainSet.size);
  const order = new Uint32Array(rows).map((_, i) => Math.floor(i * trainSet.size / rows));
  const x = new Matrix(rows, trainSet.inputSize), y = new Matrix(rows, trainSet.targetSize);
  trainSet.gather(x, y, order, 0);
  // the pictures of image data: the fixed sample images of the test split, chosen and gathered once
  let probeMs = performance.now();
  const pictures = new PictureProbe(testSet, "test");
  probeMs = performance.now() - probeMs;

  const shapeText = [shape.input, ...shape.layers.map((l) => l.units)].join("-");
  console.log(`${workload.name}: ${shapeText}, ${config.train.optimizer}, batch ${config.train.batchSize}`);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const record = session.runEpochSync();
    const epochMs = record.seconds * 1000;
    const statsTimes: number[] = [], evalTimes: number[] = [], confusionTimes: number[] = [];
    const predictionTimes: number[] = [], filterTimes: number[] = [];
    for (let r = 0; r < repeats; r++) {
      let t = performance.now();
      layerStatistics(network, { x, y, loss });
      statsTimes.push(performance.now() - t);
      t = performance.now();
      evaluate(network, testSet, { loss, classification: true });
      evalTimes.push(performance.now() - t);
      confusionTimes.push(countingMs(testSet.size, testSet.targetSize));
      t = performance.now();
      pictures.predictions(network);
      predictionTimes.push(performance.now() - t);
      t = performance.now();
      pictures.filters(network);
      filterTimes.push(performance.now() - t);
    }
    const stats = median(statsTimes), evaluation = median(evalTimes);
    const confusion = median(confusionTimes);
    const predictions = median(predictionTimes), filters = median(filterTimes);
    const share = (ms: number) => `${(100 * ms / epochMs).toFixed(2)}%`;
    console.log(
      `  epoch ${epoch}: ${epochMs.toFixed(0)} ms (loss ${record.loss.toFixed(4)})\n` +
        `    layerStatistics  ${stats.toFixed(2).padStart(8)} ms  ${share(stats).padStart(7)}  ` +
        `${stats / epochMs <= TARGET ? "ok" : "over"} (target ≤ ${TARGET * 100}%)\n` +
        `    decisionBoundary      n/a            (784 inputs)\n` +
        `    test evaluation  ${evaluation.toFixed(2).padStart(8)} ms  ${share(evaluation).padStart(7)}  ` +
        `(10 000 images; runs with or without the dashboard)\n` +
        `    confusion matrix ${confusion.toFixed(2).padStart(8)} ms  ${share(confusion).padStart(7)}  ` +
        `(the counting the test evaluation adds for it)\n` +
        `    sample predictions ${predictions.toFixed(2).padStart(6)} ms  ${
          share(predictions).padStart(7)
        }  ` +
        `(forward pass of the ${pictures.info?.samples.length ?? 0} sample images)\n` +
        `    filters          ${filters.toFixed(2).padStart(8)} ms  ${share(filters).padStart(7)}  ` +
        `(16 first-layer units averaged to 14×14)\n` +
        `    pictures, once   ${probeMs.toFixed(2).padStart(8)} ms           ` +
        `(choosing and gathering the sample images at the start)`,
    );
  }
  backend.dispose();
}

if (import.meta.main) {
  const epochs = option("epochs", 1), repeats = option("repeats", 5);
  console.log(`per-epoch statistics vs one epoch of training, median of ${repeats} repeats`);
  for (const workload of WORKLOADS) await measure(workload, epochs, repeats);
}
