// The trainer's reports and the commands it accepts: plain, copied data that printers and the dashboard consume.

import type { RunCommand } from "../nn/run_controller.ts";
import type {
  RunEndReason,
  RunPaceChanged,
  RunPaused,
  RunProgress,
  RunRateChanged,
} from "../nn/training_run.ts";

/** A histogram of values: `counts[i]` values fell in [min + i·w, min + (i+1)·w) with w = (max − min)/counts.length. */
export interface Histogram {
  /** Smallest value seen. */
  min: number;
  /** Largest value seen. */
  max: number;
  /** Counts per equal-width bin. */
  counts: number[];
}

/** Statistics of one layer after an epoch, for the dashboard (copied numbers, never live buffers). */
export interface LayerStats {
  /** 0-based layer index (0 is the first hidden layer). */
  index: number;
  /** Number of units. */
  units: number;
  /** Number of inputs to the layer. */
  inputs: number;
  /** Activation name, e.g. `"sigmoid"`. */
  activation: string;
  /** Mean activation of each unit over a sample of the training set, length `units`. */
  meanActivation: number[];
  /** Frobenius norm of the weight gradient ‖dW‖ on a fixed sample of the training set, after the epoch. */
  gradientNorm: number;
  /** Per-unit gradient size: the norm of each row of dW joined with dB, length `units`. */
  unitGradient: number[];
  /** Weight statistics. */
  weightMean: number;
  /** Standard deviation of the weights. */
  weightStd: number;
  /** Smallest weight. */
  weightMin: number;
  /** Largest weight. */
  weightMax: number;
  /** Share (0–1) of units that are saturated (sigmoid/tanh) or dead (ReLU) on the sample; 0 for others. */
  saturatedShare: number;
  /** The weights (units × inputs) when the layer is small enough to draw (units·inputs ≤ 4096), else omitted. */
  weights?: number[][];
  /** Histograms of the weights, the activations on the sample, and the weight gradient. */
  histograms: { weights: Histogram; activations: Histogram; gradients: Histogram };
}

/** The model's output over a grid of the input plane, for two-dimensional inputs. */
export interface DecisionBoundary {
  /** Grid columns. */
  width: number;
  /** Grid rows. */
  height: number;
  /** Range of the first input over the grid (left to right). */
  xRange: [number, number];
  /** Range of the second input over the grid (bottom to top). */
  yRange: [number, number];
  /**
   * Row-major values, row 0 at the TOP (y = yRange[1]): the probability of the positive class for one sigmoid
   * output or of the second class for two softmax outputs, the predicted class index for more classes, or the
   * raw output for regression.
   */
  values: number[];
  /** Number of classes (2 for a single sigmoid output), or 0 for regression. */
  classes: number;
}

/** A training point for the decision-boundary view (raw, unnormalised input coordinates). */
export interface PlotPoint {
  /** First input. */
  x: number;
  /** Second input. */
  y: number;
  /** Class index (or rounded target for regression). */
  label: number;
}

/** A data point of a one-input regression for the curve view (raw, unnormalised input and target). */
export interface CurvePoint {
  /** The input. */
  x: number;
  /** The target. */
  y: number;
  /** Whether the point is from the training set or the test split. */
  split: "train" | "test";
}

/**
 * The network's prediction over evenly spaced inputs, for one-input regression: `values[i]` is the (first) output
 * at x = xRange[0] + (xRange[1] − xRange[0]) · i / (values.length − 1), in raw input units.
 */
export interface RegressionCurve {
  /** The raw input range covered, the smallest and largest x of the data. */
  xRange: [number, number];
  /** The prediction at each evenly spaced x, left to right. */
  values: number[];
}

/** A fixed picture of the data for the samples view: one grey image with its true class. */
export interface SampleImage {
  /** Row of the set it was taken from (the test split, or the training set without one). */
  index: number;
  /** The class index of the sample. */
  label: number;
  /** Grey levels in [0, 1] (0 the smallest raw value of the samples, 1 the largest), row-major, height × width. */
  pixels: number[];
}

/** Pictures of image data that do not change during a run: the image size and the fixed sample images. */
export interface ImageInfo {
  /** Pixel rows of every image. */
  height: number;
  /** Pixel columns of every image. */
  width: number;
  /** Which set the samples come from. */
  split: "test" | "train";
  /** Up to 32 images chosen once (the first of each class first, then the earliest rows), in row order. */
  samples: SampleImage[];
}

/** What the first layer responds to: the incoming weights of some of its units, as images. */
export interface FirstLayerFilters {
  /** Pixel rows of each filter (the image height, averaged down to at most 14). */
  height: number;
  /** Pixel columns of each filter. */
  width: number;
  /** The units shown (0-based, in the first layer). */
  units: number[];
  /** One row-major `height × width` image of raw weights per unit in `units`. */
  weights: number[][];
}

/** A confusion matrix of the current model: `counts[actual][predicted]`. */
export interface ConfusionMatrix {
  /** Which set it was measured on (the test split, or a fixed sample of the training set without one). */
  split: "test" | "train";
  /** counts[actual][predicted], classes × classes. */
  counts: number[][];
}

/** Sent once before the first epoch. */
export interface StartEvent {
  /** The event's kind: `"start"`. */
  type: "start";
  /** The run's name. */
  name: string;
  /** Epochs planned. */
  epochs: number;
  /** Input size and the layers. */
  network: { input: number; layers: { units: number; activation: string }[] };
  /** Classification (with class names) or regression. */
  task: "classification" | "regression";
  /** Class names for classifiers. */
  classNames?: string[];
  /** Training samples and test samples. */
  trainSize: number;
  /** Test samples (0 when there is no test split). */
  testSize: number;
  /** Loss name, e.g. `"mse"`. */
  loss: string;
  /** Optimizer name. */
  optimizer: string;
  /** Learning rate at the start. */
  learningRate: number;
  /** Up to 500 training points, when the input is two-dimensional. */
  points?: PlotPoint[];
  /**
   * Up to 400 points of a one-input regression, training and test points in proportion (a fixed sample, evenly
   * spaced rows), for the curve view.
   */
  curvePoints?: CurvePoint[];
  /** The image size and fixed sample images, when the inputs are the pixels of grey images. */
  image?: ImageInfo;
  /** The cap on epochs per second, when one is set (`--pace`). */
  pace?: number;
  /** The learning-rate schedule, described briefly (`cosine warm-up 2`), when there is one. */
  schedule?: string;
  /** The dropout rate after each hidden layer, when one is above 0. */
  dropout?: number[];
  /** The gradient-clipping norm, when gradients are clipped. */
  clipNorm?: number;
  /** A run resumed from a checkpoint: the epochs it had completed (the first epoch event is the next one). */
  resumedFrom?: number;
}

/** Sent after every epoch. */
export interface EpochEvent {
  /** The event's kind: `"epoch"`. */
  type: "epoch";
  /** 1-based epoch just finished. */
  epoch: number;
  /** Epochs planned. */
  epochs: number;
  /** Mean training loss over the epoch's batches. */
  trainLoss: number;
  /** Loss on the test split, when there is one. */
  testLoss?: number;
  /** Accuracy on the training set (classifiers). */
  trainAccuracy?: number;
  /** Accuracy on the test split (classifiers with a test split). */
  testAccuracy?: number;
  /** Learning rate used in this epoch. */
  learningRate: number;
  /** Training throughput: samples per second over about the last half second of training (this epoch alone when it is longer). */
  samplesPerSecond: number;
  /** Seconds since training started (paused time excluded). */
  elapsedSeconds: number;
  /** Per-layer statistics (measured at most every few ms: see `layersMeasured`). */
  layers: LayerStats[];
  /**
   * False when `layers` were not measured after this epoch but repeated from an earlier one (statistics are
   * measured at most every `statsIntervalMs`); absent or true when measured.
   */
  layersMeasured?: boolean;
  /** The decision boundary, for two-dimensional inputs. */
  boundary?: DecisionBoundary;
  /** The network's prediction over the data's x range, for one-input regression (sent with the boundary's cadence). */
  curve?: RegressionCurve;
  /**
   * The predicted class of each of `StartEvent.image.samples`, in order (image data; sent with the layer
   * statistics, so some epochs leave it out).
   */
  samplePredictions?: number[];
  /** The confusion matrix, for classifiers of up to 20 classes (sent with the layer statistics). */
  confusion?: ConfusionMatrix;
  /** The first layer's incoming weights as images (image data; sent with the layer statistics). */
  filters?: FirstLayerFilters;
  /** With gradient clipping: how many of the epoch's batches had their gradient clipped. */
  clippedBatches?: number;
}

/**
 * Sent while an epoch runs, when the trainer was asked for it (`progressEveryMs`): how far the epoch has got, at
 * most every few hundred ms of training (epochs shorter than that send none). Not a completed epoch: metrics
 * files and the timeline leave it out. The training loop's record, passed on as it is.
 */
export type ProgressEvent = RunProgress;

/** Sent when something the user should know happens (a checkpoint saved, the learning rate changed, ...). */
export interface NoticeEvent {
  /** The event's kind: `"notice"`. */
  type: "notice";
  /** One line of text. */
  message: string;
}

/** Paused or resumed; a pause between two batches says where. The training loop's record, passed on as it is. */
export type StateEvent = RunPaused;

/** Sent when the learning rate changes (a command took effect): the training loop's record, passed on as it is. */
export type LearningRateChangedEvent = RunRateChanged;

/** Sent when the pace (the cap on epochs per second) changes: the training loop's record, passed on as it is. */
export type PaceChangedEvent = RunPaceChanged;

/** Sent when the model (and the run files) were saved, e.g. after the `save` command. */
export interface SavedEvent {
  /** The event's kind: `"saved"`. */
  type: "saved";
  /** The model file written. */
  path: string;
  /** The last completed epoch saved. */
  epoch: number;
}

/** Sent when saving failed; training goes on. */
export interface SaveFailedEvent {
  /** The event's kind: `"save_failed"`. */
  type: "save_failed";
  /** One line: what failed and why. */
  message: string;
}

/** Why training ended: the training loop's reasons (`done`, `early_stop`, `target_loss`, `diverged`, …). */
export type EndReason = RunEndReason;

/** Sent once at the end. */
export interface EndEvent {
  /** The event's kind: `"end"`. */
  type: "end";
  /** Why training ended. */
  reason: EndReason;
  /** Last completed epoch. */
  epoch: number;
  /** A one-line explanation (e.g. the divergence message). */
  message: string;
  /**
   * With early stopping's `restoreBest`: the epoch whose weights the network was given back at the end, and its
   * monitored value (absent when the last epoch was the best); `metrics` are that epoch's losses and accuracies,
   * so a listener need not keep every epoch's.
   */
  restored?: {
    epoch: number;
    monitor: string;
    value: number;
    metrics?: Pick<EpochEvent, "epoch" | "trainLoss" | "testLoss" | "trainAccuracy" | "testAccuracy">;
  };
}

/**
 * Everything the trainer emits, in order: one start, epochs (with notices, states, rate, pace and save reports
 * between, and progress within an epoch when asked for), one end. A trainer asked to stay after the end (`restartable`) may start again with a new start event.
 */
export type TrainEvent =
  | StartEvent
  | EpochEvent
  | NoticeEvent
  | StateEvent
  | EndEvent
  | LearningRateChangedEvent
  | PaceChangedEvent
  | SavedEvent
  | SaveFailedEvent
  | ProgressEvent;

/**
 * Read access to a run's timeline: snapshots of the epochs the dashboard can scrub back to, oldest first (the
 * first and the latest epoch always among them). Implemented by `Timeline` in `src/train/timeline.ts`.
 */
export interface TimelineReader {
  /** Number of snapshots. */
  readonly length: number;
  /** The epoch of snapshot `index` (0 is the oldest). */
  epochAt(index: number): number;
  /** The epoch event of snapshot `index`, with the decision boundary and other fields as they were then. */
  eventAt(index: number): EpochEvent;
  /** Index of the last snapshot at or before `epoch` (0 when `epoch` is before the first; -1 when empty). */
  indexAtOrBefore(epoch: number): number;
}

/** Commands the dashboard (or any caller) sends to a running trainer. */
export type TrainCommand = RunCommand | ExplainCommand;

/** One layer of an explained sample (copied numbers; layer l in the formulas, a⁰ = x). */
export interface ExplainLayer {
  /** Number of units. */
  units: number;
  /** Number of inputs (units of the layer below, or the input size). */
  inputs: number;
  /** Activation name, e.g. `"sigmoid"`. */
  activation: string;
  /** zˡ = Wˡ·aˡ⁻¹ + bˡ   (units). */
  z: number[];
  /** aˡ = f(zˡ)   (units). */
  a: number[];
  /** δˡ = ∂L/∂zˡ   (units), with a target. */
  delta?: number[];
  /**
   * ∂L/∂Wˡ = δˡ·(aˡ⁻¹)ᵀ   (units × inputs), with a target, when the layer is small enough to list (else omitted:
   * row i of it is δᵢ·aˡ⁻¹, so its norm is |δᵢ|·‖aˡ⁻¹‖).
   */
  dW?: number[][];
  /** ∂L/∂bˡ = δˡ   (units), with a target. */
  db?: number[];
}

/** The forward and backward pass of one sample on the current weights, for the dashboard's explain view. */
export interface ExplainEvent {
  /** The event's kind: `"explain"`. */
  type: "explain";
  /** 0-based index of the sample in the training set. */
  sample?: number;
  /** Number of training samples. */
  samples?: number;
  /** The epoch whose weights were used (0: the initial weights). */
  epoch?: number;
  /**
   * Set when training is paused in the middle of an epoch: the weights are those after `batch` of `batches`
   * batches of epoch `epoch` (as in {@linkcode StateEvent}); the `epoch` field above is then the last whole one.
   */
  pausedAt?: { epoch: number; batch: number; batches: number };
  /** The sample's raw features, before preprocessing   (inputs). */
  rawInput?: number[];
  /** x = a⁰, after preprocessing   (inputs). */
  input: number[];
  /** y, the target as the outputs should be (one-hot or 0/1 for classifiers)   (outputs). */
  target?: number[];
  /** Class names of a classifier, in output order. */
  classNames?: string[];
  /** The target's class name, for classifiers. */
  label?: string;
  /** The predicted class name, for classifiers. */
  predicted?: string;
  /** The loss name, e.g. `"mse"`. */
  lossName?: string;
  /** L(ŷ, y) of this one sample, with a target. */
  loss?: number;
  /** Every layer, the first hidden layer first. */
  layers: ExplainLayer[];
  /** ŷ = aᴸ   (outputs). */
  output: number[];
}

/** Asks for the explain event of training sample `sample` (0-based) on the current weights. */
export interface ExplainCommand {
  /** The event's kind: `"explain"`. */
  type: "explain";
  /** 0-based index into the training set (taken modulo its size). */
  sample: number;
}
