// The help text of every command, with usage lines naming the program the way it was started.

import { currentProgramName } from "../_program_name.ts";

// Usage lines say `deno task <command>` here and are rewritten for the way the CLI was started (`termnet train …`
// when compiled or installed; see src/_program_name.ts).
/** The help text of each command by name (`main` for the program), shown by --help and by a bare run. */
export const HELP: Record<string, string> = withProgramName(currentProgramName(), {
  main: `termnet — train and watch neural networks in the terminal

Usage: deno task <command> [arguments]

Commands:
  train <config.yaml>       train a network described by a YAML config (dashboard on a terminal)
  evaluate <model.json>     loss, accuracy and confusion matrix on the test split
  predict <model.json>      predictions for --input or CSV rows on stdin
  validate <config.yaml>…   check configs without training
  gradcheck <config.yaml>   backpropagation vs finite differences, per layer
  inspect <model.json>      the model's layers and parameters
  explain <model.json>      the forward and backward pass of one input, every number with its formula
  replay <run folder>       the dashboard of a finished run, from its timeline.bin, without training
  export <model.json>       the model as an ONNX file (--onnx) or a dependency-free TypeScript module (--ts)
  fetch <dataset>           download fashion-mnist or mnist into the user's cache, checking SHA-256

A <model.json> may also be given as its run folder (runs/xor for runs/xor/model.json). Run a command with
--help for its options. Exit codes: 0 ok, 1 failure, 2 usage, config or data error,
130 interrupted, 143 terminated (SIGTERM).`,
  train: `Usage: deno task train <config.yaml> [options]

Options:
  --epochs N         override train.epochs
  --seed N           override seed
  --set key=value    override any config key (repeatable), e.g. --set train.learning_rate=0.1
  --out DIR          override output.dir (the run folder)
  --pace N           train at most N epochs per second (decimals allowed, e.g. 0.5); < > = change it live
  --resume DIR       go on from DIR/checkpoint.bin (a run folder, or the checkpoint's path) up to train.epochs
                     (or --epochs); the config must build the same network (without a config: DIR/config.yaml);
                     metrics.jsonl and timeline.bin are continued
  --exit-on-end      close the dashboard when training ends (on a terminal it stays open until q otherwise)
  --headless         one plain line per epoch instead of the dashboard
  --json             one JSON object per line, each with a "type": start, epoch, end, saved, ... (implies
                     --headless); gradient_norms only on epochs where they were measured
  --debug            show stack traces of errors

On a terminal the dashboard stays after training ends (q leaves, r trains again from the same seed).
The run folder receives model.json, config.yaml, checkpoint.bin (the state to --resume from) and timeline.bin
(snapshots for the dashboard's rewind and for replay), each written atomically, and metrics.jsonl, appended line
by line. They are written at the end, on s in the dashboard and every train.checkpoint_every epochs.`,
  evaluate: `Usage: deno task evaluate <model.json> [--config FILE]

Loads the model and the data of its config (or --config), recreates the test split from the seed and prints the
loss, the accuracy and a confusion matrix for classifiers.`,
  predict: `Usage: deno task predict <model.json> [--input "5.1,3.5,1.4,0.2"]

Without --input, reads CSV rows from stdin. A first row that names the model's features is a header and is
skipped (for a model without feature names: a first row with no number in it); when it names them among other
columns or in another order (the training CSV with its target), each row's features are taken by name. Any
other row that is not all numbers is an error naming its line. Prints one prediction per line: the class
name and its probability for classifiers, the outputs for regression. The model's preprocessing is applied.`,
  validate: `Usage: deno task validate <config.yaml>… [--set key=value]

Checks each config (syntax, keys, types, ranges, combinations) without loading data or training.`,
  gradcheck: `Usage: deno task gradcheck <config.yaml> [--set key=value] [--samples N]

Builds the config's network, takes a small batch of its data and compares backpropagation's gradients with
central finite differences; prints the largest relative and absolute error per layer. Exit 1 when a layer
exceeds both 1e-6 relative and 1e-9 absolute (the rounding floor of finite differences).`,
  explain: `Usage: deno task explain <model.json> --input "0,1" [--target 1] [--json]

Runs one input through the model (its preprocessing applied) and prints, layer by layer, z = W·a + b and
a = f(z) with their shapes. With --target it adds the loss of that one sample (the model's training loss:
its config's train.loss, else cross_entropy after softmax, binary_cross_entropy after sigmoid for a classifier,
mse otherwise) and the backward pass: δ = ∂L/∂z, ∂W = δ·aᵀ (units × inputs) and ∂b = δ for every layer.

Options:
  --input "x1,x2,…"   the raw features, comma-separated (required)
  --target T          the expected output: for a classifier a class name or a 0-based class index (a name
                      wins when both match; encoded one-hot, or 0/1 for one sigmoid unit), otherwise the
                      comma-separated output values
  --json              print one JSON object: {"input", "layers": [{"z", "a", "delta", "dW", "db"}], "output",
                      "loss"}; input is after preprocessing, dW is units × inputs, delta is ∂L/∂z; without
                      --target only input, layers[].z, layers[].a and output

Layers of more than 16 units or 32 inputs show norms and their largest units instead of every number.`,
  replay: `Usage: deno task replay <run folder | timeline.bin> [--headless]

Opens the dashboard on a run's saved timeline (runs/<name>/timeline.bin), without training: [ and ] step one
snapshot back and forward, { and } ten, Home and End go to the first and latest, p plays the timeline back and q
quits. --headless (or output that is not a terminal) prints one line per snapshot instead. A missing or corrupt
timeline is an error with exit code 2.`,
  export: `Usage: deno task export <model.json> [--onnx out.onnx] [--ts out.ts] [--float64]

Writes the model, its preprocessing included, so that it runs without termnet (each file atomically):
  --onnx FILE   an ONNX model (opset 13): input "input" of shape [N, features], output "output" of shape
                [N, outputs]; Gemm per layer, Sigmoid/Tanh/Relu/LeakyRelu/Identity, Softmax on the output where
                used, the preprocessing as Sub and Mul; float32 tensors (--float64 for double)
  --ts FILE     one TypeScript module with no imports: predict(input: readonly number[]): number[] on raw
                features, bit-identical to termnet's predict, and classNames and classify() for classifiers
At least one of --onnx and --ts is required.`,
  fetch: `Usage: deno task fetch <fashion-mnist | mnist> [--mirror URL] [--dir DIR]

Downloads the dataset's four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz and the t10k
pair) from their canonical address into the user's cache, where configs with "source: <dataset>" find them,
and checks each file's SHA-256. A broken transfer is resumed (HTTP Range) or retried; until a file is complete
and checked it is only <name>.part. Files already there with the right checksum are kept.

Options:
  --mirror URL   fetch the same file names from another base URL (a mirror or a proxy)
  --dir DIR      download into DIR instead of the cache ($XDG_CACHE_HOME/termnet/<dataset>, ~/.cache/…,
                 ~/Library/Caches/termnet/… on macOS, %LOCALAPPDATA%\\termnet\\… on Windows)`,
  inspect: `Usage: deno task inspect <model.json>

Prints the model's layers, parameter counts, classes, preprocessing and final metrics.`,
});

/** The help texts with `deno task` in their usage lines replaced by `program` (`termnet` when installed). */
function withProgramName(program: string, help: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(help).map((
      [name, text],
    ) => [name, text.replace(/^Usage: deno task /gm, `Usage: ${program} `)]),
  );
}
