// The channel through which a caller steers a running training loop: commands in, reports queued in order.

/** Commands `trainingRun` takes between two batches (or at once while paused or after the end). */
export type RunCommand =
  | { type: "pause" }
  | { type: "resume" }
  | { type: "step" }
  | { type: "set_learning_rate"; value: number }
  | { type: "save" }
  | { type: "quit"; interrupted?: boolean }
  | { type: "restart" }
  | { type: "set_pace"; epochsPerSecond?: number };

/**
 * Steers a running `trainingRun`: pause, resume, step (the rest of the epoch, or one epoch while paused), set the
 * learning rate or the pace, restart, quit. `save` is taken and ignored (saving is the caller's). Reports (of type
 * `Report`) are handed back by the loop as `report` records in order with its own, e.g. a checkpoint written
 * while training went on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, matrixSource, Network, RunController, trainingRun } from "../../mod.ts";
 *
 * const xor = matrixSource(Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]), Matrix.from([[0], [1], [1], [0]]));
 * const net = new Network({ input: 2, hidden: [3], output: 1, seed: 1 });
 * const controller = new RunController<string>();
 * const seen: string[] = [];
 * for await (const step of trainingRun(net, xor, { epochs: 100, learningRate: 1, controller })) {
 *   if (step.type === "epoch" && step.record.epoch === 2) controller.report("two done");
 *   if (step.type === "report") seen.push(step.report), controller.send({ type: "quit" });
 *   if (step.type === "end") seen.push(`${step.reason} after ${step.epoch}`);
 * }
 * assert.deepEqual(seen, ["two done", "quit after 2"]);
 * ```
 */
export class RunController<Report = never> {
  #queue: RunCommand[] = [];
  #reports: Report[] = [];
  #wake: (() => void) | undefined;
  #quit: { interrupted: boolean } | undefined;

  /** Sends a command; the loop takes it between two batches (or at once while paused or after the end). */
  send(command: RunCommand): void {
    if (command.type === "quit") this.#quit ??= { interrupted: command.interrupted ?? false };
    this.#queue.push(command);
    this.#wake?.();
  }

  /** Queues a report for the loop to hand back in order with its own records (e.g. a checkpoint saved). */
  report(report: Report): void {
    this.#reports.push(report);
    this.#wake?.();
  }

  /** Whether quit was requested (and whether by an interrupt). */
  get quitRequested(): { interrupted: boolean } | undefined {
    return this.#quit;
  }

  /** Whether a command or a report waits to be taken (cheap: the loop asks between batches). */
  get hasInput(): boolean {
    return this.#queue.length > 0 || this.#reports.length > 0;
  }

  /** Takes the queued commands. */
  takeCommands(): RunCommand[] {
    return this.#queue.splice(0);
  }

  /** Takes the queued reports. */
  takeReports(): Report[] {
    return this.#reports.splice(0);
  }

  /** Resolves when a command or report arrives, or after `timeoutMs` when given. */
  waitForInput(timeoutMs?: number): Promise<void> {
    if (this.hasInput) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.#wake?.(), timeoutMs);
      this.#wake = () => {
        this.#wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
