/**
 * termnet: a neural-network trainer for the terminal, written from scratch in TypeScript on Deno.
 *
 * The library builds the classic tutorial network — weights of shape (next layer × this layer), biases, z and
 * activations, backpropagation by the chain rule — on a typed-array math core, with mini-batches, several
 * activations, losses and optimizers, and versioned model files.
 *
 * @example
 * ```ts
 * import { Network } from "./mod.ts";
 *
 * const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
 * const y = [[0], [1], [1], [0]];
 * const net = new Network({ input: 2, hidden: [3, 3], output: 1, activation: "sigmoid", seed: 1 });
 * await net.fit(x, y, { epochs: 10000, batchSize: 4, learningRate: 2, loss: "mse" });
 * const predictions = net.predict(x).toArray().map(([p]) => Math.round(p));
 * console.assert(predictions.join() === "0,1,1,0");
 * ```
 *
 * @module
 */

export {
  addRowVector,
  type AnyMatrix,
  axpy,
  type DType,
  DTYPES,
  type FloatArray,
  hadamard,
  map,
  matmul,
  matmulTransposeA,
  matmulTransposeB,
  Matrix,
  type MatrixLike,
  scale,
  sumColumns,
  toFloat64,
  toMatrix,
  transpose,
} from "./src/math/matrix.ts";
export { type Backend, jsBackend, jsBackend32, type OptimizerUpdate } from "./src/math/backend.ts";
export {
  type Activation,
  ACTIVATION_NAMES,
  type ActivationName,
  activations,
  getActivation,
  leakyRelu,
  linear,
  relu,
  sigmoid,
  softmax,
  tanh,
} from "./src/math/activations.ts";
export {
  binaryCrossEntropy,
  crossEntropy,
  getLoss,
  type Loss,
  LOSS_NAMES,
  losses,
  type LossName,
  mse,
} from "./src/math/losses.ts";
export { INIT_NAMES, initializeWeights, type InitName } from "./src/math/initializers.ts";
export { Rng } from "./src/math/random.ts";
export { type BatchBuffers, Dense } from "./src/nn/dense.ts";
export { DropoutRng } from "./src/nn/dropout.ts";
export {
  type CosineSchedule,
  type ExponentialSchedule,
  type PlateauSchedule,
  type Schedule,
  SCHEDULE_NAMES,
  type ScheduleName,
  Scheduler,
  type SchedulerState,
  type StepSchedule,
} from "./src/nn/schedules.ts";
export {
  type ClassifyResult,
  type ForwardResult,
  type Gradients,
  type LayerSpec,
  Network,
  type NetworkOptions,
} from "./src/nn/network.ts";
export {
  Adam,
  type AdamOptions,
  createOptimizer,
  type CreateOptimizerOptions,
  Momentum,
  type MomentumOptions,
  type Optimizer,
  OPTIMIZER_NAMES,
  type OptimizerName,
  type OptimizerOptions,
  type OptimizerState,
  type Parameter,
  Sgd,
} from "./src/nn/optimizers.ts";
export {
  type BatchSource,
  defaultLoss,
  type EpochRecord,
  type EvaluateResult,
  type FitOptions,
  FitSession,
  type FitState,
  matrixSource,
} from "./src/nn/fit.ts";
export {
  EarlyStopping,
  type EarlyStopState,
  type EarlyStopVerdict,
  type FitEarlyStop,
  type Monitor,
  type MonitoredMetrics,
} from "./src/nn/early_stop.ts";
export type { FitCallbacks, FitContext } from "./src/nn/callbacks.ts";
export {
  type DescribedSource,
  type FitCheckpoint,
  type FitInput,
  type InputPreprocessing,
  type NetworkFitOptions,
  type TypedMatrix,
} from "./src/nn/fit_loop.ts";
export {
  type EvaluationContext,
  type RunDivergence,
  type RunEnd,
  type RunEndReason,
  type RunEpoch,
  type RunPaceChanged,
  type RunPaused,
  type RunProgress,
  type RunRateChanged,
  type RunRecord,
  type RunReport,
  type RunStart,
  trainingRun,
  type TrainingRunOptions,
  type TrainState,
} from "./src/nn/training_run.ts";
export { type RunCommand, RunController } from "./src/nn/run_controller.ts";
export {
  loadModel,
  loadNetwork,
  MODEL_FORMAT,
  MODEL_VERSION,
  type ModelJson,
  type ModelLayerJson,
  networkFromJson,
  networkToJson,
  parseModel,
  type PreprocessingJson,
  saveModel,
  stringifyModel,
  validateModelJson,
} from "./src/nn/serialize.ts";
export {
  CheckpointFileError,
  ConfigError,
  DataError,
  DatasetNotFoundError,
  DownloadError,
  type FileLocation,
  ModelFileError,
  ParseError,
  TrainingDivergedError,
  UserFileError,
} from "./src/errors.ts";
export type {
  ConfusionMatrix,
  CurvePoint,
  DecisionBoundary,
  EndEvent,
  EndReason,
  EpochEvent,
  ExplainCommand,
  ExplainEvent,
  ExplainLayer,
  FirstLayerFilters,
  Histogram,
  ImageInfo,
  LayerStats,
  LearningRateChangedEvent,
  NoticeEvent,
  PaceChangedEvent,
  PlotPoint,
  ProgressEvent,
  RegressionCurve,
  SampleImage,
  SavedEvent,
  SaveFailedEvent,
  StartEvent,
  StateEvent,
  TrainCommand,
  TrainEvent,
} from "./src/train/events.ts";
export {
  applyPreprocessing,
  Dataset,
  type DatasetInit,
  type FeatureArray,
  fitPreprocessing,
  type FitPreprocessingOptions,
  type NormalizeKind,
  type Preprocessing,
  type SplitOptions,
  type TargetEncoding,
  type Task,
} from "./src/data/dataset.ts";
export {
  type CsvDatasetOptions,
  type CsvTable,
  csvToDataset,
  parseCsv,
  type ParseCsvOptions,
} from "./src/data/csv.ts";
export {
  FASHION_MNIST_CLASSES,
  type IdxArray,
  type IdxDatasetOptions,
  idxToDataset,
  parseIdx,
  type ParseIdxOptions,
} from "./src/data/idx.ts";
export { generate, type GenerateOptions, GENERATOR_NAMES, type GeneratorName } from "./src/data/builtin.ts";
export { loadDataset, type LoadDatasetOptions, type LoadedData } from "./src/data/load.ts";
export {
  datasetCacheDir,
  type EnvGetter,
  type IdxFileNames,
  locateDataset,
  type LocateDatasetOptions,
  type LocatedDataset,
  NAMED_DATASETS,
  type NamedDataset,
  type NamedDatasetName,
  type UserCacheDirOptions,
} from "./src/data/named.ts";
export {
  fetchDataset,
  type FetchDatasetOptions,
  type FetchedFile,
  type FetchEvent,
} from "./src/data/fetch.ts";
export type {
  DataConfig,
  DataSourceName,
  EarlyStopConfig,
  HiddenActivationName,
  LayerConfig,
  MonitorName,
  NetworkConfig,
  NormalizeName,
  OutputActivationName,
  OutputConfig,
  TaskName,
  TestSourceConfig,
  TrainConfig,
  TrainSection,
} from "./src/config/schema.ts";
export {
  applyOverrides,
  ConfigDocument,
  parseConfig,
  type ParseConfigOptions,
  parseConfigYaml,
  type ParseConfigYamlOptions,
  type PathSegment,
  stringifyConfig,
} from "./src/config/parse_config.ts";
export { loadConfig, type LoadConfigOptions, type LoadedConfig } from "./src/config/load_config.ts";
export {
  type DataInfo,
  type ResolvedLayer,
  type ResolvedNetwork,
  type ResolveNetworkOptions,
  resolveNetworkShape,
} from "./src/config/resolve.ts";
export {
  type EarlyStopOptions,
  train,
  TrainController,
  type TrainData,
  type TrainOptions,
} from "./src/train/trainer.ts";
export type { BestEpochState, RestoredEpoch } from "./src/train/best_epoch.ts";
export { evaluate, type EvaluateOptions, type Evaluation } from "./src/train/evaluate.ts";
export { gradientCheck, type GradientCheckOptions, type LayerGradientCheck } from "./src/nn/gradcheck.ts";
export {
  type ExplainedLayer,
  type ExplainOptions,
  explainSample,
  type Explanation,
} from "./src/nn/explain.ts";
export {
  type BackendKind,
  createBackend,
  type CreateBackendOptions,
  defaultBackend,
  type DefaultBackendOptions,
  type WasmBackend,
  type WasmBackendOptions,
} from "./src/math/create_backend.ts";
export {
  modelToOnnx,
  ONNX_INPUT_NAME,
  ONNX_OPSET,
  ONNX_OUTPUT_NAME,
  type OnnxDtype,
  type OnnxExportOptions,
} from "./src/export/onnx.ts";
export { modelToTypeScript, type TypeScriptExportOptions } from "./src/export/typescript.ts";
